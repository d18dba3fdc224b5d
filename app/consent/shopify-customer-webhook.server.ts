import type { Prisma } from "@prisma/client";
import { z } from "zod";
import { enqueueTask } from "../tasks/queue.server";
import type { WebhookMeta } from "../webhooks/ingest.server";
import { shopifyId, timestamp } from "../webhooks/shopify-fields";
import { READ_SHOPIFY_CUSTOMER_CONSENT } from "./shopify-consent-queue.server";
import { wholeSecond } from "./shopify-consent-sync.server";

/**
 * customers/update: a customer changed in Shopify, perhaps their WhatsApp marketing consent.
 * Since API 2025-01 customer payloads no longer carry marketing consent (it moved to topics of
 * its own), so the payload is only the signal: a Task reads the consent from the Admin API
 * (app/consent/shopify-consent-sync.server.ts) after the 200, never on this request's path.
 * https://shopify.dev/docs/api/webhooks/2026-10
 * https://shopify.dev/changelog/new-customer-s-webhook-and-changes-to-existing-customer-s-webhooks-payload
 */
export const customerUpdatedPayload = z.object({ id: shopifyId, updated_at: timestamp });

export type CustomerUpdatedPayload = z.infer<typeof customerUpdatedPayload>;

export async function applyCustomerUpdated(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: CustomerUpdatedPayload) {
  const subscribers = await tx.subscriber.findMany({ where: { shop: meta.shop, customerId: payload.id }, select: { id: true } });
  if (subscribers.length === 0) return;
  // A late delivery (Shopify retries for hours, out of order) older than the latest consent change
  // cannot carry news about consent: nothing to look up. updated_at has whole seconds, so one in
  // the same second as the change is still read.
  const latest = await tx.consentEvent.findFirst({
    where: { shop: meta.shop, subscriberId: { in: subscribers.map((s) => s.id) } },
    orderBy: { occurredAt: "desc" },
    select: { occurredAt: true },
  });
  if (latest && payload.updated_at < wholeSecond(latest.occurredAt)) return;
  await enqueueTask(
    {
      shop: meta.shop,
      kind: READ_SHOPIFY_CUSTOMER_CONSENT,
      payload: { customerId: payload.id },
      dedupKey: `${meta.eventId}:${READ_SHOPIFY_CUSTOMER_CONSENT}`,
    },
    tx,
  );
}
