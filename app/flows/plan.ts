import { createHash } from "node:crypto";
import type { Flow } from "@prisma/client";
import type { CancelPredicate, PlannedNotification } from "../outbox/types";

/**
 * What a planner hands back: messages to schedule (each with its tracked link and whether it is
 * in the control group) and what to cancel. Planners build these from state alone; the
 * *.server.ts layer writes them (plan.server.ts).
 */
export interface PlannedMessage {
  notification: PlannedNotification;
  /** The message's URL button: /r/<token> redirects to destination */
  link?: { token: string; destination: string };
  /** A unique code to create in Shopify before the send */
  discount?: { code: string; kind: "percentage" | "fixed_amount"; value: number; endsAt: Date };
  heldOut: boolean;
}

export interface Cancellation {
  predicate: CancelPredicate;
  reason: string;
  /** Leave these dedup keys alone (they are being re-planned unchanged) */
  keep?: string[];
}

export interface FlowPlan {
  messages: PlannedMessage[];
  cancellations: Cancellation[];
}

/**
 * Derived identifiers, so planning the same message twice yields the same link token and
 * discount code (the outbox keeps the first row per dedup key; a new random token would point
 * at nothing). Keyed with the app secret so neither can be guessed from a cart token.
 */
export interface PlanKeys {
  linkToken(shop: string, dedupKey: string): string;
  discountCode(shop: string, dedupKey: string): string;
}

export function planKeys(secret: string): PlanKeys {
  const digest = (value: string) => createHash("sha256").update(`${secret}:${value}`).digest("hex");
  return {
    linkToken: (shop, dedupKey) => linkTokenOf(secret, shop, dedupKey),
    // 10 characters of base 36: short enough to type from a phone, 51 bits of guess space.
    discountCode: (shop, dedupKey) =>
      "RB" + BigInt("0x" + digest(`discount:${shop}:${dedupKey}`).slice(0, 13)).toString(36).toUpperCase().padStart(10, "0").slice(0, 10),
  };
}

/** sha256 hex of "secret:shop:dedupKey", first 32 characters; fan-out SQL computes the same. */
export function linkTokenOf(secret: string, shop: string, dedupKey: string): string {
  return createHash("sha256").update(`${secret}:${shop}:${dedupKey}`).digest("hex").slice(0, 32);
}

/** The button suffix for a template whose URL button is https://<app>/r/{{1}}. */
export function linkButton(token: string) {
  return [{ index: 0, type: "url" as const, suffix: token }];
}

/** Where a click lands, with the UTM tags the store's analytics group by. */
export function withUtm(destination: string, flow: Flow, content?: string | null): string {
  const url = new URL(destination);
  url.searchParams.set("utm_source", "whatsapp");
  url.searchParams.set("utm_medium", "rebound");
  url.searchParams.set("utm_campaign", flow);
  if (content) url.searchParams.set("utm_content", content);
  return url.toString();
}

export const MINUTE_MS = 60_000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const addMs = (at: Date, ms: number) => new Date(at.getTime() + ms);

/** Storefront address of a shop: the myshopify domain redirects to the primary domain. */
export const storefront = (shop: string) => `https://${shop}`;

export function productUrl(shop: string, handle: string | null, variantId?: string | null) {
  // Without a handle there is no product URL to build; the catalogue is the honest fallback.
  if (!handle) return new URL(`/collections/all`, storefront(shop)).toString();
  const url = new URL(`/products/${encodeURIComponent(handle)}`, storefront(shop));
  if (variantId) url.searchParams.set("variant", variantId);
  return url.toString();
}
