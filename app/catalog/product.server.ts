import { Prisma } from "@prisma/client";
import { z } from "zod";
import type { WebhookMeta } from "../webhooks/ingest.server";
import { money, optionalText, shopifyId, timestamp } from "../webhooks/shopify-fields";
import { sqlDecimal, sqlTimestamp } from "../webhooks/sql.server";
import { announceRestocks, lockVariantStock } from "./inventory.server";

/**
 * Products and variants from products/update: titles, handles and images for messages, prices,
 * and each variant's inventory item id, the key inventory_levels/update speaks in.
 * https://shopify.dev/docs/api/admin-rest/latest/resources/product
 */
const imageObject = z.object({ src: z.string() }).partial();

const variantPayload = z.object({
  id: shopifyId,
  title: optionalText,
  sku: optionalText,
  price: money.nullish(),
  inventory_item_id: shopifyId.nullish(),
  inventory_quantity: z.number().int().nullish(),
  inventory_policy: optionalText,
  // Absent in recent API versions; null there meant "Shopify does not track this variant".
  inventory_management: z.string().nullish(),
  updated_at: timestamp.nullish(),
});

export const productPayload = z.object({
  id: shopifyId,
  title: z.string(),
  handle: optionalText,
  status: optionalText,
  image: imageObject.nullish(),
  images: z.array(imageObject).nullish(),
  variants: z.array(variantPayload).default([]),
  updated_at: timestamp,
});

export type ProductPayload = z.infer<typeof productPayload>;

export interface ProductState {
  id: string;
  title: string;
  handle: string | null;
  status: string | null;
  imageUrl: string | null;
  shopifyUpdatedAt: Date;
  variants: Array<{
    id: string;
    title: string | null;
    sku: string | null;
    price: string;
    inventoryItemId: string | null;
    inventoryQuantity: number | null;
    inventoryPolicy: string;
    inventoryTracked: boolean;
    shopifyUpdatedAt: Date;
  }>;
}

export function mapProduct(payload: ProductPayload): ProductState {
  return {
    id: payload.id,
    title: payload.title,
    handle: payload.handle,
    status: payload.status,
    imageUrl: payload.image?.src ?? payload.images?.find((i) => i.src)?.src ?? null,
    shopifyUpdatedAt: payload.updated_at,
    variants: payload.variants.map((variant) => ({
      id: variant.id,
      title: variant.title,
      sku: variant.sku,
      price: variant.price ?? "0.00",
      inventoryItemId: variant.inventory_item_id ?? null,
      inventoryQuantity: variant.inventory_quantity ?? null,
      inventoryPolicy: variant.inventory_policy ?? "deny",
      inventoryTracked: variant.inventory_management !== null,
      shopifyUpdatedAt: variant.updated_at ?? payload.updated_at,
    })),
  };
}

/**
 * Upserts the product and its variants, each guarded by its own `updated_at`. A variant's stock
 * is the sum of its inventory levels when we hold any (they are per location and fresher), else
 * the payload's inventory_quantity.
 */
export async function saveProduct(tx: Prisma.TransactionClient, shop: string, product: ProductState) {
  await tx.$executeRaw`
    INSERT INTO "Product" (id, shop, title, handle, status, "imageUrl", "shopifyUpdatedAt", "createdAt", "updatedAt")
    VALUES (${product.id}, ${shop}, ${product.title}, ${product.handle}, ${product.status}, ${product.imageUrl},
            ${sqlTimestamp(product.shopifyUpdatedAt)}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
    ON CONFLICT (shop, id) DO UPDATE SET
      title = EXCLUDED.title, handle = EXCLUDED.handle, status = EXCLUDED.status,
      "imageUrl" = EXCLUDED."imageUrl", "shopifyUpdatedAt" = EXCLUDED."shopifyUpdatedAt",
      "updatedAt" = CURRENT_TIMESTAMP
    WHERE "Product"."shopifyUpdatedAt" <= EXCLUDED."shopifyUpdatedAt"`;

  const after: Array<{ id: string; available: number | null }> = [];
  for (const variant of product.variants) {
    const rows = await tx.$queryRaw<Array<{ id: string; available: number | null }>>`
      INSERT INTO "Variant" (id, shop, "productId", title, sku, price, "inventoryItemId", available, "inventoryPolicy",
                             "inventoryTracked", "shopifyUpdatedAt", "createdAt", "updatedAt")
      VALUES (${variant.id}, ${shop}, ${product.id}, ${variant.title}, ${variant.sku}, ${sqlDecimal(variant.price)},
              ${variant.inventoryItemId},
              COALESCE((SELECT CAST(SUM(l.available) AS integer) FROM "InventoryLevel" l
                         WHERE l.shop = ${shop} AND l."inventoryItemId" = ${variant.inventoryItemId}),
                       CAST(${variant.inventoryQuantity} AS integer)),
              ${variant.inventoryPolicy}, ${variant.inventoryTracked}, ${sqlTimestamp(variant.shopifyUpdatedAt)},
              CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
      ON CONFLICT (shop, id) DO UPDATE SET
        "productId" = EXCLUDED."productId", title = EXCLUDED.title, sku = EXCLUDED.sku, price = EXCLUDED.price,
        "inventoryItemId" = COALESCE(EXCLUDED."inventoryItemId", "Variant"."inventoryItemId"),
        available = COALESCE(EXCLUDED.available, "Variant".available),
        "inventoryPolicy" = EXCLUDED."inventoryPolicy", "inventoryTracked" = EXCLUDED."inventoryTracked",
        "shopifyUpdatedAt" = EXCLUDED."shopifyUpdatedAt", "updatedAt" = CURRENT_TIMESTAMP
      WHERE "Variant"."shopifyUpdatedAt" <= EXCLUDED."shopifyUpdatedAt"
      RETURNING id, available`;
    after.push(...rows);
  }
  // Variants deleted in Shopify are no longer in the payload; only a newer product drops them.
  const kept = product.variants.map((variant) => variant.id);
  await tx.$executeRaw`
    DELETE FROM "Variant" WHERE shop = ${shop} AND "productId" = ${product.id}
       AND "shopifyUpdatedAt" <= ${sqlTimestamp(product.shopifyUpdatedAt)}
       ${kept.length > 0 ? Prisma.sql`AND id NOT IN (${Prisma.join(kept)})` : Prisma.empty}`;
  return after;
}

/** products/update */
export async function applyProductUpdate(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: ProductPayload) {
  const product = mapProduct(payload);
  const before = await lockVariantStock(tx, meta.shop, { variantIds: product.variants.map((v) => v.id) });
  const after = await saveProduct(tx, meta.shop, product);
  await announceRestocks(tx, meta.shop, meta.eventId, before, after);
}
