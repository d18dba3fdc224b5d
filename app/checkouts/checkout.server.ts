import type { Prisma } from "@prisma/client";
import { z } from "zod";
import { linkCartToCheckout } from "../carts/cart.server";
import { findSubscriberId, normaliseShopperPhone } from "../subscribers/shopper-link.server";
import { emitFromWebhook } from "../webhooks/domain-events.server";
import type { WebhookMeta } from "../webhooks/ingest.server";
import { money, optionalText, shopifyId, sumMoney, timestamp } from "../webhooks/shopify-fields";
import { sqlDecimal, sqlJson, sqlTimestamp } from "../webhooks/sql.server";

/**
 * Checkouts from checkouts/create and checkouts/update. A checkout is where the shopper first
 * gives contact details, so this is where a cart gets a phone, an email and a customer. The
 * payload carries `completed_at` once the order is placed, and `abandoned_checkout_url`, the
 * recovery link Shopify itself uses.
 * https://shopify.dev/docs/api/admin-rest/latest/resources/abandoned-checkouts
 */
const address = z.object({ phone: optionalText }).partial().nullish();

const checkoutLine = z.object({
  variant_id: shopifyId.nullish(),
  product_id: shopifyId.nullish(),
  title: z.string().nullish(),
  quantity: z.number().int().nonnegative(),
  price: money,
});

export const checkoutPayload = z.object({
  token: z.string().min(1),
  cart_token: optionalText,
  email: optionalText,
  phone: optionalText,
  sms_marketing_phone: optionalText,
  customer: z.object({ id: shopifyId, email: optionalText, phone: optionalText }).partial().nullish(),
  shipping_address: address,
  billing_address: address,
  abandoned_checkout_url: optionalText,
  line_items: z.array(checkoutLine).default([]),
  total_price: money.nullish(),
  currency: optionalText,
  presentment_currency: optionalText,
  completed_at: timestamp.nullish(),
  updated_at: timestamp,
});

export type CheckoutPayload = z.infer<typeof checkoutPayload>;

export interface CheckoutState {
  token: string;
  cartToken: string | null;
  customerId: string | null;
  /** As given; normalised against the shop's country before it is stored. */
  rawPhone: string | null;
  email: string | null;
  recoveryUrl: string | null;
  lines: Array<{ variantId: string | null; productId: string | null; title: string; quantity: number; price: string }>;
  totalPrice: string;
  currency: string | null;
  completedAt: Date | null;
  shopifyUpdatedAt: Date;
}

/** The first phone the shopper gave: contact field, then addresses, then their customer record. */
export function mapCheckout(payload: CheckoutPayload): CheckoutState {
  const lines = payload.line_items.map((line) => ({
    variantId: line.variant_id ?? null,
    productId: line.product_id ?? null,
    title: line.title ?? "",
    quantity: line.quantity,
    price: line.price,
  }));
  return {
    token: payload.token,
    cartToken: payload.cart_token,
    customerId: payload.customer?.id ?? null,
    rawPhone:
      payload.phone ??
      payload.sms_marketing_phone ??
      payload.shipping_address?.phone ??
      payload.billing_address?.phone ??
      payload.customer?.phone ??
      null,
    email: payload.email ?? payload.customer?.email ?? null,
    recoveryUrl: payload.abandoned_checkout_url,
    lines,
    totalPrice: payload.total_price ?? sumMoney(lines),
    currency: payload.presentment_currency ?? payload.currency,
    completedAt: payload.completed_at ?? null,
    shopifyUpdatedAt: payload.updated_at,
  };
}

/**
 * One statement; an older `updated_at` changes nothing. Contact fields and completion are never
 * erased by a later payload that lacks them (Shopify omits what the shopper has not typed yet).
 */
export async function saveCheckout(
  tx: Prisma.TransactionClient,
  shop: string,
  checkout: CheckoutState & { phone: string | null; subscriberId: string | null },
): Promise<boolean> {
  const changed = await tx.$executeRaw`
    INSERT INTO "Checkout" (token, shop, "cartToken", "customerId", "subscriberId", phone, email, "recoveryUrl",
                            lines, "totalPrice", currency, "completedAt", "shopifyUpdatedAt", "createdAt", "updatedAt")
    VALUES (${checkout.token}, ${shop}, ${checkout.cartToken}, ${checkout.customerId}, ${checkout.subscriberId},
            ${checkout.phone}, ${checkout.email}, ${checkout.recoveryUrl}, ${sqlJson(checkout.lines)},
            ${sqlDecimal(checkout.totalPrice)}, ${checkout.currency}, ${sqlTimestamp(checkout.completedAt)},
            ${sqlTimestamp(checkout.shopifyUpdatedAt)}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
    ON CONFLICT (shop, token) DO UPDATE SET
      "cartToken" = COALESCE(EXCLUDED."cartToken", "Checkout"."cartToken"),
      "customerId" = COALESCE(EXCLUDED."customerId", "Checkout"."customerId"),
      "subscriberId" = COALESCE(EXCLUDED."subscriberId", "Checkout"."subscriberId"),
      phone = COALESCE(EXCLUDED.phone, "Checkout".phone),
      email = COALESCE(EXCLUDED.email, "Checkout".email),
      "recoveryUrl" = COALESCE(EXCLUDED."recoveryUrl", "Checkout"."recoveryUrl"),
      lines = EXCLUDED.lines,
      "totalPrice" = EXCLUDED."totalPrice",
      currency = COALESCE(EXCLUDED.currency, "Checkout".currency),
      "completedAt" = COALESCE("Checkout"."completedAt", EXCLUDED."completedAt"),
      "shopifyUpdatedAt" = EXCLUDED."shopifyUpdatedAt",
      "updatedAt" = CURRENT_TIMESTAMP
    WHERE "Checkout"."shopifyUpdatedAt" <= EXCLUDED."shopifyUpdatedAt"`;
  // The order may have been recorded first (webhooks are not ordered across topics).
  await tx.$executeRaw`
    UPDATE "Checkout" c SET "completedAt" = COALESCE(c."completedAt", o."placedAt"), "orderId" = o.id,
           "updatedAt" = CURRENT_TIMESTAMP
      FROM "Order" o
     WHERE c.shop = ${shop} AND c.token = ${checkout.token} AND c."orderId" IS NULL
       AND o.shop = ${shop} AND o."checkoutToken" = ${checkout.token}`;
  return changed > 0;
}

/** checkouts/create and checkouts/update. */
export async function applyCheckoutWebhook(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: CheckoutPayload) {
  const checkout = mapCheckout(payload);
  const phone = await normaliseShopperPhone(tx, meta.shop, checkout.rawPhone);
  const subscriberId = await findSubscriberId(tx, meta.shop, { phone, customerId: checkout.customerId });
  const changed = await saveCheckout(tx, meta.shop, { ...checkout, phone, subscriberId });
  if (checkout.cartToken) {
    await linkCartToCheckout(tx, meta.shop, checkout.cartToken, {
      checkoutToken: checkout.token,
      customerId: checkout.customerId,
      subscriberId,
    });
  }
  if (changed) {
    await emitFromWebhook(tx, meta, { kind: "flows.checkout_changed", payload: { checkoutToken: checkout.token } });
  }
}

/** The order that completed a checkout. */
export async function markCheckoutCompleted(
  tx: Prisma.TransactionClient,
  shop: string,
  checkoutToken: string,
  order: { id: string; placedAt: Date; subscriberId: string | null },
) {
  await tx.$executeRaw`
    UPDATE "Checkout" SET "completedAt" = COALESCE("completedAt", ${sqlTimestamp(order.placedAt)}),
           "orderId" = ${order.id},
           "subscriberId" = COALESCE(${order.subscriberId}, "subscriberId"),
           "updatedAt" = CURRENT_TIMESTAMP
     WHERE shop = ${shop} AND token = ${checkoutToken}`;
}
