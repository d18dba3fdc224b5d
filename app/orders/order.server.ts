import type { Prisma } from "@prisma/client";
import { z } from "zod";
import { markCartConverted } from "../carts/cart.server";
import { markCheckoutCompleted } from "../checkouts/checkout.server";
import { linkSubscriberToCustomer } from "../consent/shopify-consent-queue.server";
import { findSubscriberId, normaliseShopperPhone } from "../subscribers/shopper-link.server";
import { emitFromWebhook } from "../webhooks/domain-events.server";
import type { WebhookMeta } from "../webhooks/ingest.server";
import { money, optionalText, shopifyId, timestamp } from "../webhooks/shopify-fields";
import { sqlDecimal, sqlTimestamp } from "../webhooks/sql.server";

/**
 * Orders from orders/create, orders/paid and orders/cancelled (each carries the whole order). An order closes the
 * cart and checkout it came from (`cart_token`, `checkout_token`), feeds reorder and cross-sell
 * timing, and its line item properties carry booking dates for appointment reminders.
 * https://shopify.dev/docs/api/admin-rest/latest/resources/order
 */
const address = z.object({ phone: optionalText }).partial().nullish();

const property = z.object({ name: z.string(), value: z.unknown() });

const orderLine = z.object({
  id: shopifyId,
  variant_id: shopifyId.nullish(),
  product_id: shopifyId.nullish(),
  title: z.string().nullish(),
  name: z.string().nullish(),
  quantity: z.number().int().nonnegative(),
  price: money,
  properties: z.array(property).nullish(),
});

export const orderPayload = z.object({
  id: shopifyId,
  name: optionalText,
  email: optionalText,
  contact_email: optionalText,
  phone: optionalText,
  customer: z.object({ id: shopifyId, email: optionalText, phone: optionalText }).partial().nullish(),
  shipping_address: address,
  billing_address: address,
  cart_token: optionalText,
  checkout_token: optionalText,
  total_price: money,
  currency: optionalText,
  presentment_currency: optionalText,
  financial_status: optionalText,
  cancelled_at: timestamp.nullish(),
  created_at: timestamp,
  processed_at: timestamp.nullish(),
  updated_at: timestamp,
  line_items: z.array(orderLine),
});

export type OrderPayload = z.infer<typeof orderPayload>;

export interface OrderLineState {
  id: string;
  productId: string | null;
  variantId: string | null;
  title: string;
  quantity: number;
  price: string;
  properties: Array<{ name: string; value: string }>;
}

export interface OrderState {
  id: string;
  name: string | null;
  customerId: string | null;
  rawPhone: string | null;
  email: string | null;
  cartToken: string | null;
  checkoutToken: string | null;
  totalPrice: string;
  currency: string | null;
  financialStatus: string | null;
  cancelledAt: Date | null;
  placedAt: Date;
  shopifyUpdatedAt: Date;
  lines: OrderLineState[];
}

export function mapOrder(payload: OrderPayload): OrderState {
  return {
    id: payload.id,
    name: payload.name,
    customerId: payload.customer?.id ?? null,
    rawPhone:
      payload.phone ??
      payload.shipping_address?.phone ??
      payload.billing_address?.phone ??
      payload.customer?.phone ??
      null,
    email: payload.email ?? payload.contact_email ?? payload.customer?.email ?? null,
    cartToken: payload.cart_token,
    checkoutToken: payload.checkout_token,
    totalPrice: payload.total_price,
    currency: payload.currency ?? payload.presentment_currency,
    financialStatus: payload.financial_status,
    cancelledAt: payload.cancelled_at ?? null,
    // processed_at is when the shopper bought (differs from created_at for imported orders).
    placedAt: payload.processed_at ?? payload.created_at,
    shopifyUpdatedAt: payload.updated_at,
    lines: payload.line_items.map((line) => ({
      id: line.id,
      productId: line.product_id ?? null,
      variantId: line.variant_id ?? null,
      title: line.title ?? line.name ?? "",
      quantity: line.quantity,
      price: line.price,
      properties: (line.properties ?? []).map((p) => ({
        name: p.name,
        value: typeof p.value === "string" ? p.value : JSON.stringify(p.value ?? null),
      })),
    })),
  };
}

/** Upserts the order and, when this payload is the newest, its line items. */
export async function saveOrder(
  tx: Prisma.TransactionClient,
  shop: string,
  order: OrderState & { phone: string | null; subscriberId: string | null },
): Promise<boolean> {
  const changed = await tx.$executeRaw`
    INSERT INTO "Order" (id, shop, name, "customerId", "subscriberId", phone, email, "cartToken", "checkoutToken",
                         "totalPrice", currency, "financialStatus", "cancelledAt", "placedAt", "shopifyUpdatedAt",
                         "createdAt", "updatedAt")
    VALUES (${order.id}, ${shop}, ${order.name}, ${order.customerId}, ${order.subscriberId}, ${order.phone},
            ${order.email}, ${order.cartToken}, ${order.checkoutToken}, ${sqlDecimal(order.totalPrice)},
            ${order.currency}, ${order.financialStatus}, ${sqlTimestamp(order.cancelledAt)},
            ${sqlTimestamp(order.placedAt)}, ${sqlTimestamp(order.shopifyUpdatedAt)}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
    ON CONFLICT (shop, id) DO UPDATE SET
      name = EXCLUDED.name,
      "customerId" = COALESCE(EXCLUDED."customerId", "Order"."customerId"),
      "subscriberId" = COALESCE(EXCLUDED."subscriberId", "Order"."subscriberId"),
      phone = COALESCE(EXCLUDED.phone, "Order".phone),
      email = COALESCE(EXCLUDED.email, "Order".email),
      "cartToken" = COALESCE(EXCLUDED."cartToken", "Order"."cartToken"),
      "checkoutToken" = COALESCE(EXCLUDED."checkoutToken", "Order"."checkoutToken"),
      "totalPrice" = EXCLUDED."totalPrice",
      currency = COALESCE(EXCLUDED.currency, "Order".currency),
      "financialStatus" = EXCLUDED."financialStatus",
      "cancelledAt" = EXCLUDED."cancelledAt",
      "placedAt" = EXCLUDED."placedAt",
      "shopifyUpdatedAt" = EXCLUDED."shopifyUpdatedAt",
      "updatedAt" = CURRENT_TIMESTAMP
    WHERE "Order"."shopifyUpdatedAt" <= EXCLUDED."shopifyUpdatedAt"`;
  if (changed === 0) return false;
  await tx.orderLineItem.deleteMany({ where: { shop, orderId: order.id } });
  if (order.lines.length > 0) {
    await tx.orderLineItem.createMany({
      data: order.lines.map((line) => ({ ...line, shop, orderId: order.id })),
    });
  }
  return true;
}

/** Payment is a one-way fact: a stale payload cannot un-pay, and a late one still records it. */
export async function markOrderPaid(tx: Prisma.TransactionClient, shop: string, orderId: string, at: Date) {
  await tx.$executeRaw`
    UPDATE "Order" SET "paidAt" = COALESCE("paidAt", ${sqlTimestamp(at)}),
           "financialStatus" = CASE WHEN "paidAt" IS NULL THEN 'paid' ELSE "financialStatus" END,
           "updatedAt" = CURRENT_TIMESTAMP
     WHERE shop = ${shop} AND id = ${orderId}`;
}

/**
 * The subscriber's order history as campaign audiences read it (last order within N days,
 * minimum spent), recomputed from the Order rows so replays and reordering cannot double count.
 * Cancelled orders do not count.
 */
export async function refreshSubscriberOrderStats(tx: Prisma.TransactionClient, shop: string, subscriberId: string) {
  await tx.$executeRaw`
    UPDATE "Subscriber" s
       SET "orderCount" = o.count, "totalSpent" = o.spent, "firstOrderAt" = o.first, "lastOrderAt" = o.last,
           "updatedAt" = CURRENT_TIMESTAMP
      FROM (SELECT CAST(count(*) AS integer) AS count, COALESCE(sum("totalPrice"), 0) AS spent,
                   min("placedAt") AS first, max("placedAt") AS last
              FROM "Order" WHERE shop = ${shop} AND "subscriberId" = ${subscriberId} AND "cancelledAt" IS NULL) o
     WHERE s.shop = ${shop} AND s.id = ${subscriberId}`;
}

async function recordOrder(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: OrderPayload) {
  const order = mapOrder(payload);
  const phone = await normaliseShopperPhone(tx, meta.shop, order.rawPhone);
  const subscriberId = await findSubscriberId(tx, meta.shop, { phone, customerId: order.customerId });
  await saveOrder(tx, meta.shop, { ...order, phone, subscriberId });
  if (subscriberId) await refreshSubscriberOrderStats(tx, meta.shop, subscriberId);
  // Their first order as a customer: the consent they gave Rebound is written to that customer.
  if (subscriberId && order.customerId) await linkSubscriberToCustomer(tx, meta.shop, subscriberId, order.customerId);
  if (order.cartToken) {
    await markCartConverted(tx, meta.shop, order.cartToken, { customerId: order.customerId, subscriberId });
  }
  if (order.checkoutToken) {
    await markCheckoutCompleted(tx, meta.shop, order.checkoutToken, { id: order.id, placedAt: order.placedAt, subscriberId });
  }
  return order;
}

/** orders/create */
export async function applyOrderCreated(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: OrderPayload) {
  const order = await recordOrder(tx, meta, payload);
  await emitFromWebhook(tx, meta, { kind: "flows.order_placed", payload: { orderId: order.id } });
}

/**
 * orders/cancelled: the whole order with cancelled_at and a newer updated_at, so saving it
 * records the cancellation; orders/create and orders/paid are not resent when an order is
 * cancelled, and without this topic a cancelled booking would still get its reminder.
 */
export async function applyOrderCancelled(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: OrderPayload) {
  const order = await recordOrder(tx, meta, payload);
  await emitFromWebhook(tx, meta, { kind: "flows.order_cancelled", payload: { orderId: order.id } });
}

/** orders/paid: Shopify sends it once the order's payments cover its total. */
export async function applyOrderPaid(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: OrderPayload) {
  const order = await recordOrder(tx, meta, payload);
  await markOrderPaid(tx, meta.shop, order.id, meta.triggeredAt ?? order.shopifyUpdatedAt);
  await emitFromWebhook(tx, meta, { kind: "flows.order_paid", payload: { orderId: order.id } });
}
