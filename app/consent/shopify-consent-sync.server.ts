import prisma from "../db.server";
import { appendConsentEvent, lockSubscriber } from "./ledger.server";
import type { Db } from "../db.server";
import { recordOptOut } from "./opt-out.server";
import { InvalidPhoneNumber, parsePhone } from "./phone.server";
import {
  readCustomerConsent,
  writeCustomerConsent,
  type AdminGraphql,
  type ConsentWrite,
  type ShopifyCustomerConsent,
} from "./shopify-consent-admin.server";

/**
 * Keeps Rebound's consent and the customer's WhatsApp marketing consent in Shopify in step
 * (docs/decisions/020-whatsapp-consent-in-shopify.md). Both directions run as Tasks.
 *
 * Rebound -> Shopify: the subscriber's current status, its opt-in level and when it was given.
 * Shopify -> Rebound: an UNSUBSCRIBED newer than anything in the ledger is an opt-out (source
 * `shopify_admin`); a SUBSCRIBED is the merchant's claim, recorded as evidence, never an opt-in.
 *
 * No echo: what came from Shopify is not written back, what Rebound wrote carries the ledger
 * event's own time, and Shopify's consent is applied only when it is newer than the ledger's
 * latest event, so Rebound's own write returning through customers/update changes nothing.
 */
const NO_STATUS_KINDS = ["marketing_stopped", "marketing_resumed", "merchant_claim"] as const;

function e164(raw: string): string | null {
  try {
    return parsePhone(raw).e164;
  } catch (error) {
    if (error instanceof InvalidPhoneNumber) return null;
    throw error;
  }
}

/** Shopify's DateTime and webhook timestamps carry whole seconds. */
export const wholeSecond = (at: Date) => new Date(Math.floor(at.getTime() / 1000) * 1000);

async function latestEventAt(db: Db, shop: string, subscriberId: string): Promise<Date | null> {
  const row = await db.consentEvent.findFirst({
    where: { shop, subscriberId },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    select: { occurredAt: true },
  });
  return row?.occurredAt ?? null;
}

/** Confirmed on WhatsApp since the last opt-out (double opt-in) = CONFIRMED_OPT_IN, else single. */
async function optInLevelOf(shop: string, subscriberId: string): Promise<"CONFIRMED_OPT_IN" | "SINGLE_OPT_IN"> {
  const lastOut = await prisma.consentEvent.findFirst({
    where: { shop, subscriberId, kind: "opt_out" },
    orderBy: { occurredAt: "desc" },
    select: { occurredAt: true },
  });
  const confirmed = await prisma.consentEvent.count({
    where: { shop, subscriberId, kind: "confirmed", ...(lastOut ? { occurredAt: { gt: lastOut.occurredAt } } : {}) },
  });
  return confirmed > 0 ? "CONFIRMED_OPT_IN" : "SINGLE_OPT_IN";
}

export type PushOutcome =
  | "written"
  | "not_linked"
  | "pending"
  | "from_shopify"
  | "no_phone_in_shopify"
  | "other_number"
  | "already_current"
  | "newer_in_shopify";

/** Rebound -> Shopify: writes the subscriber's current consent to their customer. */
export async function pushConsentToShopify(shop: string, subscriberId: string, admin: AdminGraphql): Promise<PushOutcome> {
  const subscriber = await prisma.subscriber.findFirst({
    where: { shop, id: subscriberId },
    select: { status: true, customerId: true, phone: true },
  });
  if (!subscriber?.customerId) return "not_linked";
  if (subscriber.status === "pending") return "pending";
  const latest = await prisma.consentEvent.findFirst({
    where: { shop, subscriberId, kind: { notIn: [...NO_STATUS_KINDS] } },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    select: { source: true, occurredAt: true },
  });
  if (!latest) return "pending";
  if (latest.source === "shopify_admin") return "from_shopify";

  const current = await readCustomerConsent(admin, subscriber.customerId);
  // Shopify identifies the WhatsApp account by the customer's phone number: without one, or
  // with another number than the one that opted in, this consent is not that customer's to hold.
  if (!current) return "no_phone_in_shopify";
  if (e164(current.phoneNumber) !== subscriber.phone) return "other_number";

  const write: ConsentWrite =
    subscriber.status === "subscribed"
      ? { state: "SUBSCRIBED", optInLevel: await optInLevelOf(shop, subscriberId), updatedAt: latest.occurredAt }
      : { state: "UNSUBSCRIBED", updatedAt: latest.occurredAt };
  if (current.consent.state === write.state && (write.state === "UNSUBSCRIBED" || current.consent.optInLevel === write.optInLevel)) {
    return "already_current";
  }
  // Changed in Shopify after the ledger's latest event: customers/update brings that change here
  // (an opt-out is applied, a claim recorded); overwriting it with an older state would lose it.
  const shopifyAt = current.consent.updatedAt ? new Date(current.consent.updatedAt) : null;
  const ledgerAt = await latestEventAt(prisma, shop, subscriberId);
  if (shopifyAt && ledgerAt && shopifyAt > ledgerAt) return "newer_in_shopify";

  await writeCustomerConsent(admin, subscriber.customerId, write);
  return "written";
}

export type PullOutcome =
  | "opted_out"
  | "claim_recorded"
  | "unchanged"
  | "stale"
  | "not_applicable"
  | "no_phone_in_shopify"
  | "no_subscriber";

/** Shopify -> Rebound: applies the customer's WhatsApp consent as Shopify holds it now. */
export async function pullConsentFromShopify(shop: string, customerId: string, admin: AdminGraphql): Promise<PullOutcome> {
  const current = await readCustomerConsent(admin, customerId);
  if (!current) return "no_phone_in_shopify";
  return applyShopifyConsent(shop, customerId, current);
}

export async function applyShopifyConsent(shop: string, customerId: string, current: ShopifyCustomerConsent): Promise<PullOutcome> {
  const { consent } = current;
  if (consent.state !== "SUBSCRIBED" && consent.state !== "UNSUBSCRIBED") return "not_applicable";
  if (!consent.updatedAt) return "not_applicable";
  const changedAt = new Date(consent.updatedAt);
  if (Number.isNaN(changedAt.getTime())) return "not_applicable";
  const phone = e164(current.phoneNumber);
  if (!phone) return "no_subscriber";

  return prisma.$transaction(async (tx) => {
    const found = await tx.subscriber.findFirst({ where: { shop, customerId, phone }, select: { id: true } });
    if (!found) return "no_subscriber" as const;
    await lockSubscriber(tx, shop, found.id);
    const subscriber = await tx.subscriber.findUniqueOrThrow({ where: { id: found.id }, select: { status: true, scope: true } });
    // Older than (or the very write of) the ledger's latest event: a late or echoed state.
    // Shopify keeps whole seconds; an opt-out in the ledger's own second is applied (the safe side).
    const latestAt = await latestEventAt(tx, shop, found.id);
    if (latestAt && (consent.state === "UNSUBSCRIBED" ? changedAt < wholeSecond(latestAt) : changedAt <= latestAt)) {
      return "stale" as const;
    }

    const context = {
      customerId,
      state: consent.state,
      optInLevel: consent.optInLevel ?? null,
      collectedFrom: consent.collectedFrom ?? null,
      shopifyUpdatedAt: changedAt.toISOString(),
    };
    if (consent.state === "UNSUBSCRIBED") {
      if (subscriber.status === "unsubscribed") return "unchanged" as const;
      await recordOptOut(tx, { shop, subscriberId: found.id, source: "shopify_admin", scope: subscriber.scope, context, at: changedAt });
      return "opted_out" as const;
    }
    if (subscriber.status === "subscribed") return "unchanged" as const;
    // WhatsApp needs the shopper's own opt-in naming WhatsApp and the business, with its proof;
    // a box ticked in Shopify's admin is the merchant's statement, so it never subscribes anyone.
    await appendConsentEvent(tx, {
      shop,
      subscriberId: found.id,
      kind: "merchant_claim",
      scope: subscriber.scope,
      source: "shopify_admin",
      occurredAt: changedAt,
      context,
    });
    return "claim_recorded" as const;
  });
}
