import type { AdminApiContext } from "@shopify/shopify-app-remix/server";
import type { Task } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";
import { unauthenticated } from "../shopify.server";
import type { TaskHandlers } from "../tasks/registry.server";
import { idFromGid } from "../webhooks/shopify-fields";
import { sqlDecimal } from "../webhooks/sql.server";
import {
  announceRestocks,
  lockVariantStock,
  RESOLVE_INVENTORY_ITEM,
  sumVariantStock,
  type ResolveInventoryItemPayload,
} from "./inventory.server";

/**
 * Background lookup of an inventory item that inventory_levels/update named before any
 * products/update told us its variant. Runs as a Task: an Admin API call must never hold up a
 * webhook's answer (Shopify gives up after 5 s).
 * https://shopify.dev/docs/api/admin-graphql/latest/queries/inventoryItem
 */
export const INVENTORY_ITEM_QUERY = `#graphql
  query ReboundInventoryItem($id: ID!) {
    inventoryItem(id: $id) {
      variant {
        id
        price
        sku
        title
        product { id title handle featuredImage { url } }
      }
    }
  }`;

const inventoryItemAnswer = z.object({
  data: z.object({
    inventoryItem: z
      .object({
        variant: z
          .object({
            id: z.string(),
            price: z.string(),
            sku: z.string().nullable(),
            title: z.string().nullable(),
            product: z.object({
              id: z.string(),
              title: z.string(),
              handle: z.string().nullable(),
              featuredImage: z.object({ url: z.string() }).nullable(),
            }),
          })
          .nullable(),
      })
      .nullable(),
  }),
});

const taskPayload = z.object({ inventoryItemId: z.string().regex(/^\d+$/), eventId: z.string().min(1) });

// Rows created from a lookup carry the oldest possible updated_at, so any webhook for the same
// product or variant, however late, replaces them.
const LOOKUP_EPOCH = new Date(0);

/** The item's GID, from the decimal string the webhook's 64-bit id was kept as (never a number). */
export const inventoryItemGid = (inventoryItemId: string) => `gid://shopify/InventoryItem/${inventoryItemId}`;

export async function resolveInventoryItem(
  shop: string,
  job: ResolveInventoryItemPayload,
  admin: Pick<AdminApiContext, "graphql">,
): Promise<"resolved" | "not_found"> {
  const response = await admin.graphql(INVENTORY_ITEM_QUERY, {
    variables: { id: inventoryItemGid(job.inventoryItemId) },
  });
  const answer = inventoryItemAnswer.parse(await response.json());
  const variant = answer.data.inventoryItem?.variant;
  if (!variant) return "not_found";
  const variantId = idFromGid(variant.id);
  const productId = idFromGid(variant.product.id);

  await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`
      INSERT INTO "Product" (id, shop, title, handle, "imageUrl", "shopifyUpdatedAt", "createdAt", "updatedAt")
      VALUES (${productId}, ${shop}, ${variant.product.title}, ${variant.product.handle},
              ${variant.product.featuredImage?.url ?? null}, ${LOOKUP_EPOCH.toISOString()}::timestamp,
              CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
      ON CONFLICT (shop, id) DO NOTHING`;
    const before = await lockVariantStock(tx, shop, { variantIds: [variantId] });
    await tx.$executeRaw`
      INSERT INTO "Variant" (id, shop, "productId", title, sku, price, "inventoryItemId", "shopifyUpdatedAt", "createdAt", "updatedAt")
      VALUES (${variantId}, ${shop}, ${productId}, ${variant.title}, ${variant.sku}, ${sqlDecimal(variant.price)},
              ${job.inventoryItemId}, ${LOOKUP_EPOCH.toISOString()}::timestamp, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
      ON CONFLICT (shop, id) DO UPDATE SET "inventoryItemId" = EXCLUDED."inventoryItemId", "updatedAt" = CURRENT_TIMESTAMP`;
    const after = await sumVariantStock(tx, shop, job.inventoryItemId);
    // The stock arrived before we knew whose it was: this is the moment it becomes a restock.
    await announceRestocks(tx, shop, job.eventId, before, after, { newVariantsCount: true });
  });
  return "resolved";
}

export async function runResolveInventoryItem(task: Task) {
  const job = taskPayload.parse(task.payload);
  const { admin } = await unauthenticated.admin(task.shop);
  await resolveInventoryItem(task.shop, job, admin);
}

/** The catalogue's deferred work, for the task registry (app/background.server.ts). */
export const catalogTaskHandlers: TaskHandlers = { [RESOLVE_INVENTORY_ITEM]: runResolveInventoryItem };
