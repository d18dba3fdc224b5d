import type { Prisma } from "@prisma/client";
import { z } from "zod";
import { emitFromWebhook } from "../webhooks/domain-events.server";
import type { WebhookMeta } from "../webhooks/ingest.server";
import { money, shopifyId, sumMoney, timestamp } from "../webhooks/shopify-fields";
import { sqlDecimal, sqlJson, sqlTimestamp } from "../webhooks/sql.server";

/**
 * Carts from carts/create and carts/update. The payload is the whole cart each time (token,
 * line_items, updated_at), so a delivery replaces the row, unless a newer one already landed:
 * Shopify delivers out of order and retries for hours.
 * https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-carts/update
 */
const moneySet = z
  .object({ presentment_money: z.object({ currency_code: z.string() }).partial().optional() })
  .partial()
  .nullish();

const cartLine = z.object({
  variant_id: shopifyId.nullish(),
  product_id: shopifyId.nullish(),
  title: z.string().nullish(),
  quantity: z.number().int().nonnegative(),
  price: money,
  line_price: money.nullish(),
  price_set: moneySet,
});

export const cartPayload = z.object({
  token: z.string().min(1),
  line_items: z.array(cartLine),
  updated_at: timestamp,
  created_at: timestamp.nullish(),
});

export type CartPayload = z.infer<typeof cartPayload>;

export interface CartLine {
  variantId: string | null;
  productId: string | null;
  title: string;
  quantity: number;
  price: string;
}

export interface CartState {
  token: string;
  lines: CartLine[];
  itemCount: number;
  totalPrice: string;
  currency: string | null;
  status: "open" | "emptied";
  shopifyUpdatedAt: Date;
}

/** The row a cart payload describes. A cart with no items left is "emptied", not abandoned. */
export function mapCart(payload: CartPayload): CartState {
  const lines = payload.line_items
    .filter((line) => line.quantity > 0)
    .map((line) => ({
      variantId: line.variant_id ?? null,
      productId: line.product_id ?? null,
      title: line.title ?? "",
      quantity: line.quantity,
      price: line.price,
    }));
  const itemCount = lines.reduce((total, line) => total + line.quantity, 0);
  const currency =
    payload.line_items.map((line) => line.price_set?.presentment_money?.currency_code).find(Boolean) ?? null;
  return {
    token: payload.token,
    lines,
    itemCount,
    totalPrice: sumMoney(lines),
    currency,
    status: itemCount === 0 ? "emptied" : "open",
    shopifyUpdatedAt: payload.updated_at,
  };
}

/**
 * Upserts the cart in one statement: the WHERE on the conflict branch makes an older
 * `updated_at` a no-op even when two deliveries race. A converted cart stays converted (the
 * order is the truth); its contents may still be refreshed. Returns whether the row changed.
 */
export async function saveCart(tx: Prisma.TransactionClient, shop: string, cart: CartState): Promise<boolean> {
  const changed = await tx.$executeRaw`
    INSERT INTO "Cart" (token, shop, status, lines, "itemCount", "totalPrice", currency, "shopifyUpdatedAt", "createdAt", "updatedAt")
    VALUES (${cart.token}, ${shop}, CAST(${cart.status} AS "CartStatus"), ${sqlJson(cart.lines)}, ${cart.itemCount},
            ${sqlDecimal(cart.totalPrice)}, ${cart.currency}, ${sqlTimestamp(cart.shopifyUpdatedAt)},
            CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
    ON CONFLICT (shop, token) DO UPDATE SET
      status = CASE WHEN "Cart".status = 'converted' THEN "Cart".status ELSE EXCLUDED.status END,
      lines = EXCLUDED.lines,
      "itemCount" = EXCLUDED."itemCount",
      "totalPrice" = EXCLUDED."totalPrice",
      currency = COALESCE(EXCLUDED.currency, "Cart".currency),
      "shopifyUpdatedAt" = EXCLUDED."shopifyUpdatedAt",
      "updatedAt" = CURRENT_TIMESTAMP
    WHERE "Cart"."shopifyUpdatedAt" <= EXCLUDED."shopifyUpdatedAt"`;
  // orders/create can arrive before the cart's last update: an order naming this cart wins.
  await tx.$executeRaw`
    UPDATE "Cart" SET status = 'converted', "updatedAt" = CURRENT_TIMESTAMP
     WHERE shop = ${shop} AND token = ${cart.token} AND status <> 'converted'
       AND EXISTS (SELECT 1 FROM "Order" o WHERE o.shop = ${shop} AND o."cartToken" = ${cart.token})`;
  return changed > 0;
}

/** carts/create and carts/update. */
export async function applyCartWebhook(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: CartPayload) {
  const changed = await saveCart(tx, meta.shop, mapCart(payload));
  if (changed) await emitFromWebhook(tx, meta, { kind: "flows.cart_changed", payload: { cartToken: payload.token } });
}

/** The checkout that started from a cart: remember it, and who the shopper turned out to be. */
export async function linkCartToCheckout(
  tx: Prisma.TransactionClient,
  shop: string,
  cartToken: string,
  link: { checkoutToken: string; customerId: string | null; subscriberId: string | null },
) {
  await tx.$executeRaw`
    UPDATE "Cart" SET "checkoutToken" = ${link.checkoutToken},
           "customerId" = COALESCE(${link.customerId}, "customerId"),
           "subscriberId" = COALESCE(${link.subscriberId}, "subscriberId"),
           "updatedAt" = CURRENT_TIMESTAMP
     WHERE shop = ${shop} AND token = ${cartToken}`;
}

/** An order was placed from this cart: nothing left to recover. */
export async function markCartConverted(
  tx: Prisma.TransactionClient,
  shop: string,
  cartToken: string,
  link: { customerId: string | null; subscriberId: string | null },
) {
  await tx.$executeRaw`
    UPDATE "Cart" SET status = 'converted',
           "customerId" = COALESCE(${link.customerId}, "customerId"),
           "subscriberId" = COALESCE(${link.subscriberId}, "subscriberId"),
           "updatedAt" = CURRENT_TIMESTAMP
     WHERE shop = ${shop} AND token = ${cartToken}`;
}

