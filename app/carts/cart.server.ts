import { Prisma } from "@prisma/client";
import { z } from "zod";
import { leaveJson, flagRaised, type Carried } from "../db/carried.server";
import { enqueueLeftTasks, PENDING_TASKS } from "../tasks/pipelined.server";
import { flowEventTask } from "../webhooks/domain-events.server";
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
 * Upserts the cart in one statement, written only when `when` holds: the WHERE on the conflict
 * branch makes an older `updated_at` a no-op even when two deliveries race. A converted cart
 * stays converted (the order is the truth); its contents may still be refreshed, and a cart whose
 * order is already recorded (orders/create can arrive before the cart's last update) lands as
 * converted.
 */
function cartUpsert(shop: string, cart: CartState, when: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO "Cart" (token, shop, status, lines, "itemCount", "totalPrice", currency, "shopifyUpdatedAt", "createdAt", "updatedAt")
    SELECT ${cart.token}, ${shop},
           CASE WHEN ${orderNamesCart(shop, cart.token)} THEN CAST('converted' AS "CartStatus") ELSE CAST(${cart.status} AS "CartStatus") END,
           ${sqlJson(cart.lines)}, CAST(${cart.itemCount} AS integer), ${sqlDecimal(cart.totalPrice)}, ${cart.currency},
           ${sqlTimestamp(cart.shopifyUpdatedAt)}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
     WHERE ${when}
    ON CONFLICT (shop, token) DO UPDATE SET
      status = CASE WHEN "Cart".status = 'converted' THEN "Cart".status ELSE EXCLUDED.status END,
      lines = EXCLUDED.lines,
      "itemCount" = EXCLUDED."itemCount",
      "totalPrice" = EXCLUDED."totalPrice",
      currency = COALESCE(EXCLUDED.currency, "Cart".currency),
      "shopifyUpdatedAt" = EXCLUDED."shopifyUpdatedAt",
      "updatedAt" = CURRENT_TIMESTAMP
    WHERE "Cart"."shopifyUpdatedAt" <= EXCLUDED."shopifyUpdatedAt"`;
}

const orderNamesCart = (shop: string, token: string) =>
  Prisma.sql`EXISTS (SELECT 1 FROM "Order" o WHERE o.shop = ${shop} AND o."cartToken" = ${token})`;

/** A stored cart an order names is converted, even when this delivery changed nothing else. */
function cartConversion(shop: string, token: string, when: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    UPDATE "Cart" SET status = 'converted', "updatedAt" = CURRENT_TIMESTAMP
     WHERE shop = ${shop} AND token = ${token} AND status <> 'converted'
       AND ${orderNamesCart(shop, token)} AND ${when}`;
}

/** Saves the cart inside a transaction; returns whether the row changed. */
export async function saveCart(tx: Prisma.TransactionClient, shop: string, cart: CartState): Promise<boolean> {
  const changed = await tx.$executeRaw(cartUpsert(shop, cart, Prisma.sql`TRUE`));
  await tx.$executeRaw(cartConversion(shop, cart.token, Prisma.sql`TRUE`));
  return changed > 0;
}

/** A cart delivery locks its cart's row (and writes tasks keyed by its event). */
export const cartLockKey = (payload: CartPayload) => `cart ${payload.token}`;

/**
 * carts/create and carts/update, as the statements of a pipelined delivery
 * (app/webhooks/webhook-handler.ts): the cart's writes while `received` is raised, then its flow
 * event, enqueued only when the cart row changed. Within one statement every step sees the rows
 * as they were before it, so the conversion step only runs when the upsert left the row alone
 * (one row is never written twice).
 */
export function cartWebhookStatements(meta: WebhookMeta, payload: CartPayload, received: Carried<boolean>): Prisma.Sql[] {
  const cart = mapCart(payload);
  const event = flowEventTask(meta.eventId, { kind: "flows.cart_changed", payload: { cartToken: payload.token } });
  const writes = Prisma.sql`
    WITH cart_row AS (${cartUpsert(meta.shop, cart, flagRaised(received))} RETURNING 1),
    cart_converted AS (${cartConversion(meta.shop, cart.token, Prisma.sql`${flagRaised(received)} AND NOT EXISTS (SELECT 1 FROM cart_row)`)} RETURNING 1)
    SELECT ${leaveJson(PENDING_TASKS, Prisma.sql`CASE WHEN EXISTS (SELECT 1 FROM cart_row) THEN ${sqlJson([event])} END`)} AS pending`;
  return [writes, enqueueLeftTasks(meta.shop)];
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

