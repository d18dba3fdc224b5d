import type { Prisma } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";
import type { WebhookMeta } from "../webhooks/ingest.server";
import { shopifyId } from "../webhooks/shopify-fields";
import { findShopperRecords, privacySubject, type Shopper } from "./shopper-records.server";

/**
 * customers/data_request: a shopper asked the merchant what is held about them. Shopify expects
 * the app to give the merchant that data (they have 30 days to answer the shopper), so the
 * report is written to DataRequest, durable and scoped to the shop, rather than only logged.
 * https://shopify.dev/docs/apps/build/privacy-law-compliance#customers-data_request
 */
export const customerDataRequestPayload = z.object({
  shop_domain: z.string().optional(),
  customer: privacySubject,
  orders_requested: z.array(shopifyId).default([]),
  data_request: z.object({ id: shopifyId }).partial().nullish(),
});

export type CustomerDataRequestPayload = z.infer<typeof customerDataRequestPayload>;

export async function buildShopperReport(tx: Prisma.TransactionClient, shop: string, shopper: Shopper) {
  const found = await findShopperRecords(tx, shop, shopper);
  // One query after another: an interactive transaction runs on a single connection anyway.
  const subscribers = await tx.subscriber.findMany({
    where: { shop, id: { in: found.subscriberIds } },
    include: {
      consentEvents: { orderBy: { occurredAt: "asc" } },
      requests: { orderBy: { createdAt: "asc" } },
    },
  });
  const orders = await tx.order.findMany({
    where: { shop, id: { in: found.orderIds } },
    include: { lineItems: true },
    orderBy: { placedAt: "asc" },
  });
  const checkouts = await tx.checkout.findMany({ where: { shop, token: { in: found.checkoutTokens } } });
  const carts = await tx.cart.findMany({ where: { shop, token: { in: found.cartTokens } } });
  const messages = await tx.notification.findMany({
    where: { shop, id: { in: found.notificationIds } },
    include: { events: { orderBy: { at: "asc" } } },
    orderBy: { createdAt: "asc" },
  });
  // Plain JSON: Decimals become strings, dates ISO strings.
  return JSON.parse(
    JSON.stringify({ subject: shopper, subscribers, orders, checkouts, carts, messages }),
  ) as Prisma.InputJsonObject;
}

export async function applyCustomerDataRequest(
  tx: Prisma.TransactionClient,
  meta: WebhookMeta,
  payload: CustomerDataRequestPayload,
) {
  const shopper: Shopper = {
    customerId: payload.customer.id ?? null,
    email: payload.customer.email,
    phone: payload.customer.phone,
    orderIds: payload.orders_requested,
  };
  const report = await buildShopperReport(tx, meta.shop, shopper);
  await tx.dataRequest.create({
    data: {
      shop: meta.shop,
      customerId: shopper.customerId,
      email: shopper.email,
      phone: shopper.phone,
      report: { ...report, shopifyRequestId: payload.data_request?.id ?? null },
      requestedAt: meta.triggeredAt ?? new Date(),
    },
  });
}

/** The merchant's list: newest first, this shop only, without the reports themselves. */
export function listDataRequests(shop: string) {
  return prisma.dataRequest.findMany({
    where: { shop },
    orderBy: { requestedAt: "desc" },
    select: { id: true, customerId: true, email: true, phone: true, requestedAt: true },
  });
}

/** One report, only if it belongs to this shop. */
export function getDataRequest(shop: string, id: string) {
  return prisma.dataRequest.findFirst({ where: { shop, id } });
}
