import { createHash } from "node:crypto";
import type { ConsentEvent, ConsentKind, ConsentScope, ConsentSource, Prisma, SubscriberStatus } from "@prisma/client";
import prisma, { type Db } from "../db.server";
import { env } from "../env.server";
import { afterConsentChange } from "./shopify-consent-queue.server";

/**
 * The consent ledger. WhatsApp's Business Messaging Policy requires an opt-in that names
 * WhatsApp and the business, and the ability to prove it: so every change of consent is an
 * appended ConsentEvent with the exact text shown, its version, where and when it happened, the
 * locale and a salted hash of the device. Rows are never updated. Subscriber.status is a cache of
 * the ledger (latest event wins) so the send-time gate reads one row.
 *
 * Shopify's SMS marketing consent (customer.smsMarketingConsent, `accepts_marketing_sms`) is never
 * read here: it was given for SMS, not WhatsApp, and Meta requires consent for WhatsApp itself.
 * Shopify's WhatsApp marketing consent is kept in step both ways (shopify-consent-*.server.ts):
 * an opt-out made there is honoured here, a "subscribed" set there is only the merchant's claim.
 */
export interface ConsentProof {
  text?: string | null;
  textVersion?: string | null;
  locale?: string | null;
  deviceHash?: string | null;
  context?: Record<string, string | number | boolean | null>;
}

export interface NewConsentEvent extends ConsentProof {
  shop: string;
  subscriberId: string;
  kind: ConsentKind;
  scope?: ConsentScope;
  source: ConsentSource;
  occurredAt: Date;
}

/** sha256 over salt, IP and user agent: ties an opt-in to a device without storing either. */
export function hashDevice(ip: string | null | undefined, userAgent: string | null | undefined): string | null {
  if (!ip && !userAgent) return null;
  const { CONSENT_HASH_SALT, SHOPIFY_API_SECRET } = env();
  // Unsalted, an IPv4 hash is reversed by trying all 2^32 addresses; without a configured salt,
  // one derived from the app's secret keeps the hash just as unguessable to anyone outside.
  const salt = CONSENT_HASH_SALT ?? createHash("sha256").update(`consent-device-salt:${SHOPIFY_API_SECRET}`).digest("hex");
  return createHash("sha256").update(`${salt}\n${ip ?? ""}\n${userAgent ?? ""}`).digest("hex");
}

type StatusEvent = Pick<ConsentEvent, "kind" | "context">;

/** What one event says the status is; null for events that do not change it. */
export function statusAfter(event: StatusEvent): SubscriberStatus | null {
  switch (event.kind) {
    case "opt_in": {
      const context = (event.context ?? {}) as Record<string, unknown>;
      // A subscriber asking for more than they agreed to keeps what they have until they confirm
      // on WhatsApp (optin.server.ts): the request alone changes nothing.
      if (context.widening === true) return null;
      // With double opt-in the shopper is only `pending` until they answer the confirmation.
      return context.requiresConfirmation === true ? "pending" : "subscribed";
    }
    case "confirmed":
    case "re_opt_in":
      return "subscribed";
    case "opt_out":
      return "unsubscribed";
    case "marketing_stopped":
    case "marketing_resumed":
      // Meta stopped (131050, user_preferences) or resumed marketing only: utility messages remain
      // allowed, and a shopper who sent STOP stays unsubscribed. Status unchanged either way.
      return null;
    case "merchant_claim":
      // Shopify's admin says the customer subscribed: the merchant's word, not the shopper's
      // WhatsApp opt-in (docs/decisions/020-whatsapp-consent-in-shopify.md), so kept as evidence only.
      return null;
  }
}

/** Latest event wins; events must be ordered oldest first. */
export function deriveStatus(events: StatusEvent[]): SubscriberStatus | null {
  let status: SubscriberStatus | null = null;
  for (const event of events) status = statusAfter(event) ?? status;
  return status;
}

/**
 * Appends one event and refreshes the cached status from the ledger. Call inside the caller's
 * transaction, with the subscriber row locked (lockSubscriber), so concurrent events serialise.
 */
export async function appendConsentEvent(db: Db, event: NewConsentEvent): Promise<{ event: ConsentEvent; status: SubscriberStatus }> {
  const before = await db.subscriber.findFirst({
    where: { shop: event.shop, id: event.subscriberId },
    select: { status: true, customerId: true },
  });
  const created = await db.consentEvent.create({
    data: {
      shop: event.shop,
      subscriberId: event.subscriberId,
      kind: event.kind,
      scope: event.scope ?? "marketing",
      source: event.source,
      text: event.text ?? null,
      textVersion: event.textVersion ?? null,
      locale: event.locale ?? null,
      deviceHash: event.deviceHash ?? null,
      context: (event.context ?? {}) as Prisma.InputJsonValue,
      occurredAt: event.occurredAt,
    },
  });
  const status = await refreshStatus(db, event.shop, event.subscriberId);
  await afterConsentChange(db, {
    shop: event.shop,
    subscriberId: event.subscriberId,
    eventId: created.id,
    source: event.source,
    before: before?.status ?? null,
    after: status,
    customerId: before?.customerId ?? null,
  });
  return { event: created, status };
}

/** Events that never change Subscriber.status (statusAfter is null for them). */
const NO_STATUS_KINDS: ConsentKind[] = ["marketing_stopped", "marketing_resumed", "merchant_claim"];

/**
 * Recomputes Subscriber.status from the latest status-bearing event by occurrence time: a STOP
 * delivered late by WhatsApp does not undo an opt-in the shopper made after sending it.
 */
export async function refreshStatus(db: Db, shop: string, subscriberId: string): Promise<SubscriberStatus> {
  const latest = await latestStatusEvent(db, shop, subscriberId);
  const status = (latest && statusAfter(latest)) ?? "pending";
  await db.subscriber.updateMany({
    where: { shop, id: subscriberId },
    data: { status, ...(latest && latest.kind !== "opt_out" ? { scope: latest.scope } : {}) },
  });
  return status;
}

/**
 * The newest event that says what the status is. Most kinds always do; an opt-in that only asks
 * to widen consent does not, and is passed over (a few at most: each is rate limited).
 */
async function latestStatusEvent(db: Db, shop: string, subscriberId: string) {
  const PAGE = 20;
  for (let skip = 0; ; skip += PAGE) {
    const events = await db.consentEvent.findMany({
      where: { shop, subscriberId, kind: { notIn: NO_STATUS_KINDS } },
      orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
      select: { kind: true, context: true, scope: true },
      skip,
      take: PAGE,
    });
    const found = events.find((event) => statusAfter(event) !== null);
    if (found || events.length < PAGE) return found ?? null;
  }
}

/** Row lock on the subscriber so two requests for the same person apply one after the other. */
export async function lockSubscriber(db: Db, shop: string, subscriberId: string): Promise<void> {
  await db.$queryRaw`SELECT id FROM "Subscriber" WHERE shop = ${shop} AND id = ${subscriberId} FOR UPDATE`;
}

/** The subscriber's consent history, newest first, for the admin timeline. */
export function listConsentEvents(shop: string, subscriberId: string, db: Db = prisma) {
  return db.consentEvent.findMany({
    where: { shop, subscriberId },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
  });
}

/** When the subscriber last opted out, if ever: earlier opt-ins no longer count for idempotency. */
export async function lastOptOutAt(db: Db, shop: string, subscriberId: string): Promise<Date | null> {
  const row = await db.consentEvent.findFirst({
    where: { shop, subscriberId, kind: "opt_out" },
    orderBy: { occurredAt: "desc" },
    select: { occurredAt: true },
  });
  return row?.occurredAt ?? null;
}
