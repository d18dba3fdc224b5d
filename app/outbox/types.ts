import type { Flow, Notification, Subscriber } from "@prisma/client";

type UrlButton = { index: number; type: "url"; suffix: string };
type QuickReplyButton = { index: number; type: "quick_reply"; payload: string };

/**
 * A URL button whose suffix is the message's own link token (its id plus a MAC, see
 * app/flows/link-token.server.ts), minted when it is sent. A fan-out then writes the same
 * parameters on every row instead of computing a token per row.
 */
export type DerivedLinkButton = { index: number; type: "url"; derivedLinkToken: true };

/** What a template send carries besides its name and language. */
export interface TemplateParams {
  /** Values for {{1}}, {{2}}, ... in the body, in order */
  body?: string[];
  /** Public image URL for a template whose header is an IMAGE */
  headerImageUrl?: string;
  /** Dynamic URL suffixes and quick-reply payloads, by button index */
  buttons?: Array<UrlButton | QuickReplyButton>;
}

/** The parameters as a notification stores them: URL buttons may await their derived token. */
export interface StoredTemplateParams extends Omit<TemplateParams, "buttons"> {
  buttons?: Array<UrlButton | QuickReplyButton | DerivedLinkButton>;
}

/**
 * A message a flow wants sent. Planners return these; the outbox stores them once per
 * (shop, dedupKey), so planning the same thing twice has one effect.
 */
export interface PlannedNotification {
  shop: string;
  flow: Flow;
  dedupKey: string;
  subscriberId: string;
  sendAt: Date;
  /** After this the message is no longer worth sending */
  expiresAt?: Date | null;
  templateName: string;
  templateLanguage: string;
  params: TemplateParams;
  step?: number;
  cartToken?: string | null;
  variantId?: string | null;
  orderId?: string | null;
  campaignId?: string | null;
}

/**
 * What the dispatcher holds of a claimed message: what the gate, the flow re-check and the send
 * read, and the lease it was claimed under. A whole row (37 columns, most of them its history:
 * timestamps, errors, dedup key) times a batch of 1,000 is kept for as long as the batch runs.
 */
export type ClaimedNotification = Pick<
  Notification,
  | "id"
  | "shop"
  | "flow"
  | "subscriberId"
  | "status"
  | "sendAt"
  | "expiresAt"
  | "templateName"
  | "templateLanguage"
  | "params"
  | "attempts"
  | "cartToken"
  | "variantId"
  | "orderId"
  | "campaignId"
  | "leaseOwner"
  | "leaseUntil"
>;

/** What the gate and the send read of a subscriber. */
export type GateSubscriber = Pick<
  Subscriber,
  "id" | "shop" | "phone" | "status" | "scope" | "callingCode" | "countryCode" | "marketingStoppedAt" | "marketingBlockedUntil"
>;

/** The columns of GateSubscriber, as a Prisma select. */
export const GATE_SUBSCRIBER_SELECT = {
  id: true,
  shop: true,
  phone: true,
  status: true,
  scope: true,
  callingCode: true,
  countryCode: true,
  marketingStoppedAt: true,
  marketingBlockedUntil: true,
} as const satisfies Record<keyof GateSubscriber, true>;

/** Rows to cancel: every field given must match. Always scoped to one shop. */
export interface CancelPredicate {
  flow?: Flow | Flow[];
  subscriberId?: string;
  cartToken?: string;
  variantId?: string;
  orderId?: string;
  campaignId?: string;
}
