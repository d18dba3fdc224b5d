import type { Flow } from "@prisma/client";

/** What a template send carries besides its name and language. */
export interface TemplateParams {
  /** Values for {{1}}, {{2}}, ... in the body, in order */
  body?: string[];
  /** Public image URL for a template whose header is an IMAGE */
  headerImageUrl?: string;
  /** Dynamic URL suffixes and quick-reply payloads, by button index */
  buttons?: Array<
    | { index: number; type: "url"; suffix: string }
    | { index: number; type: "quick_reply"; payload: string }
  >;
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

/** Rows to cancel: every field given must match. Always scoped to one shop. */
export interface CancelPredicate {
  flow?: Flow | Flow[];
  subscriberId?: string;
  cartToken?: string;
  variantId?: string;
  orderId?: string;
  campaignId?: string;
}
