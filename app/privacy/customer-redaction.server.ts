import { Prisma } from "@prisma/client";
import { z } from "zod";
import type { WebhookMeta } from "../webhooks/ingest.server";
import { shopifyId } from "../webhooks/shopify-fields";
import { eraseSubscribers } from "../consent/suppression.server";
import { eraseShopperFromNotifications } from "../outbox/erasure.server";
import { findShopperRecords, privacySubject, type Shopper } from "./shopper-records.server";

/**
 * customers/redact: erase a shopper. Shopify sends it 10 days after the request (or at once when
 * the shopper had no orders in the last 6 months) and expects the data gone within 30 days.
 * Every row reachable from what Shopify names (shopper-records.server.ts follows the links) loses
 * what names the person: their subscriber row goes (and with it the consent ledger and
 * back-in-stock requests, leaving an anonymous count and, for a STOP, a keyed hash); orders,
 * checkouts, carts and messages stay for the merchant's counts and revenue, without anything that
 * points to the person.
 * https://shopify.dev/docs/apps/build/privacy-law-compliance#customers-redact
 */
export const customerRedactPayload = z.object({
  shop_domain: z.string().optional(),
  customer: privacySubject,
  orders_to_redact: z.array(shopifyId).default([]),
});

export type CustomerRedactPayload = z.infer<typeof customerRedactPayload>;

export async function redactShopper(tx: Prisma.TransactionClient, shop: string, shopper: Shopper) {
  const found = await findShopperRecords(tx, shop, shopper);

  if (found.notificationIds.length > 0) {
    // A cart reminder's link is the checkout's recovery URL, which reopens the shopper's
    // checkout with their address; clicks keep counting, towards the storefront instead.
    await eraseShopperFromNotifications(tx, shop, found.notificationIds, `https://${shop}/`);
    await tx.trackedLink.updateMany({
      where: { shop, notificationId: { in: found.notificationIds } },
      data: { destination: `https://${shop}/` },
    });
  }
  if (found.orderIds.length > 0) {
    await tx.order.updateMany({
      where: { shop, id: { in: found.orderIds } },
      data: { phone: null, email: null, customerId: null, subscriberId: null },
    });
    // Line item properties are free text the shopper typed (names, booking notes).
    await tx.orderLineItem.updateMany({ where: { shop, orderId: { in: found.orderIds } }, data: { properties: [] } });
  }
  if (found.checkoutTokens.length > 0) {
    await tx.checkout.updateMany({
      where: { shop, token: { in: found.checkoutTokens } },
      data: { phone: null, email: null, customerId: null, subscriberId: null, recoveryUrl: null },
    });
  }
  if (found.cartTokens.length > 0) {
    await tx.cart.updateMany({
      where: { shop, token: { in: found.cartTokens } },
      data: { customerId: null, subscriberId: null },
    });
  }
  // The subscriber goes with its consent ledger and back-in-stock requests; what remains of the
  // consent is an anonymous count, and of a STOP a keyed hash, so it is never forgotten.
  await eraseSubscribers(tx, shop, found.subscriberIds);
  // Opt-in rate limits are keyed "...:<shop>:<E.164>".
  for (const phone of found.phones) {
    await tx.rateCounter.deleteMany({ where: { key: { contains: `:${shop}:`, endsWith: `:${phone}` } } });
  }
  // An earlier access report is a copy of the very data being erased.
  const reportFilters = [
    ...(found.customerIds.length ? [{ customerId: { in: found.customerIds } }] : []),
    ...found.emails.map((email) => ({ email: { equals: email, mode: "insensitive" as const } })),
    ...(found.phones.length ? [{ phone: { in: found.phones } }] : []),
  ];
  if (reportFilters.length > 0) await tx.dataRequest.deleteMany({ where: { shop, OR: reportFilters } });
  // A report asked for by another identifier (an order alone) can still quote the phone or email.
  const quoted = [...found.phones, ...found.emails].map((needle) => Prisma.sql`strpos(lower(report::text), lower(${needle})) > 0`);
  if (quoted.length > 0) await tx.$executeRaw`DELETE FROM "DataRequest" WHERE shop = ${shop} AND (${Prisma.join(quoted, " OR ")})`;
  return found;
}

export async function applyCustomerRedact(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: CustomerRedactPayload) {
  await redactShopper(tx, meta.shop, {
    customerId: payload.customer.id ?? null,
    email: payload.customer.email,
    phone: payload.customer.phone,
    orderIds: payload.orders_to_redact,
  });
}
