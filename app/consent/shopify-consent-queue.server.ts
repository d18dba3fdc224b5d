import type { SubscriberStatus } from "@prisma/client";
import { enqueueTask } from "../tasks/queue.server";
import type { Db } from "../db.server";

/**
 * When Rebound's consent for a shopper who is a Shopify customer changes, the customer's WhatsApp
 * marketing consent in Shopify follows, written by a Task (app/consent/shopify-consent-tasks.
 * server.ts) enqueued in the same transaction as the change: an Admin API call never runs on a
 * webhook's or storefront's request path, and a failed call is retried by the queue.
 * https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/customerWhatsAppMarketingConsentUpdate
 */
export const PUSH_CONSENT_TO_SHOPIFY = "consent.push_to_shopify";
export const READ_SHOPIFY_CUSTOMER_CONSENT = "consent.read_shopify_customer";

/** Statuses Shopify's consent can carry from us; `pending` waits for the shopper's confirmation. */
const PUSHED: ReadonlySet<SubscriberStatus> = new Set(["subscribed", "unsubscribed"]);

/**
 * Enqueues the write of the subscriber's current consent. Keyed on the ledger event that made it
 * current, so the change and a link made in the same transaction enqueue one task, and a replayed
 * webhook enqueues none.
 */
export async function queueConsentPush(db: Db, shop: string, subscriberId: string, eventId: string): Promise<void> {
  await enqueueTask(
    { shop, kind: PUSH_CONSENT_TO_SHOPIFY, payload: { subscriberId }, dedupKey: `${PUSH_CONSENT_TO_SHOPIFY}:${subscriberId}:${eventId}` },
    db,
  );
}

/**
 * Records that the subscriber is this Shopify customer (their first order, or a logged-in
 * checkout) when no customer was known yet, and then writes the consent they already gave to the
 * customer in Shopify. A subscriber already linked keeps its customer: the first link wins, as
 * the opt-in's own customer id does in optin.server.ts.
 */
export async function linkSubscriberToCustomer(db: Db, shop: string, subscriberId: string, customerId: string): Promise<boolean> {
  const linked = await db.subscriber.updateMany({ where: { shop, id: subscriberId, customerId: null }, data: { customerId } });
  if (linked.count === 0) return false;
  const subscriber = await db.subscriber.findFirst({ where: { shop, id: subscriberId }, select: { status: true } });
  if (!subscriber || !PUSHED.has(subscriber.status)) return true;
  const latest = await db.consentEvent.findFirst({
    where: { shop, subscriberId, kind: { notIn: ["marketing_stopped", "marketing_resumed", "merchant_claim"] } },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    select: { id: true },
  });
  if (latest) await queueConsentPush(db, shop, subscriberId, latest.id);
  return true;
}

/** After a ledger event: a change of status of a linked subscriber goes to Shopify. */
export async function afterConsentChange(
  db: Db,
  change: { shop: string; subscriberId: string; eventId: string; source: string; before: SubscriberStatus | null; after: SubscriberStatus; customerId: string | null },
): Promise<void> {
  if (!change.customerId || change.before === change.after || !PUSHED.has(change.after)) return;
  // What Shopify told us is already what Shopify holds: writing it back would only echo.
  if (change.source === "shopify_admin") return;
  await queueConsentPush(db, change.shop, change.subscriberId, change.eventId);
}
