import { z } from "zod";

/**
 * What Meta says about a connected number's sending capacity, read rather than assumed.
 * Messaging limits belong to the business portfolio and are shared by its numbers: unique people
 * reached outside a customer service window per moving 24 h. `messaging_limit_tier` is deprecated;
 * `whatsapp_business_manager_messaging_limit` replaces it. Webhooks carry the same tiers
 * (phone_number_quality_update) or a count with -1 for unlimited (business_capability_update).
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_quality_update
 */
export interface NumberSignals {
  /** People per rolling 24 h; 0 = unlimited; null = Meta did not say (TIER_NOT_SET, missing) */
  messagingLimit: number | null;
  /** GREEN, YELLOW, RED or UNKNOWN */
  qualityRating: string | null;
  /** The account accepted the Marketing Messages API terms: Meta takes MARKETING templates there */
  marketingMessagesOnboarded: boolean | null;
}

export const numberSignalsFields = {
  number: "whatsapp_business_manager_messaging_limit,quality_rating",
  account: "marketing_messages_onboarding_status",
};

const TIERS: Record<string, number> = {
  TIER_50: 50,
  TIER_250: 250,
  TIER_1K: 1_000,
  TIER_2K: 2_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: 0,
};

/** A limit as Meta writes it: "TIER_2K", 2000, "2000", or -1 (unlimited). Null when it says nothing usable. */
export function messagingLimitOf(value: unknown): number | null {
  if (typeof value === "string" && value in TIERS) return TIERS[value];
  const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n)) return null;
  if (n === -1) return 0;
  return n > 0 ? n : null;
}

const numberAnswer = z.object({
  id: z.string(),
  whatsapp_business_manager_messaging_limit: z.unknown().optional(),
  quality_rating: z.string().optional(),
});
const accountAnswer = z.object({ marketing_messages_onboarding_status: z.string().optional() }).passthrough();

/** The two Graph answers as NumberSignals, or null when the number's answer is not one. */
export function numberSignalsAnswer(number: unknown, account: unknown): NumberSignals | null {
  const n = numberAnswer.safeParse(number);
  if (!n.success) return null;
  const a = accountAnswer.safeParse(account);
  const status = a.success ? a.data.marketing_messages_onboarding_status : undefined;
  return {
    messagingLimit: messagingLimitOf(n.data.whatsapp_business_manager_messaging_limit),
    qualityRating: n.data.quality_rating ?? null,
    marketingMessagesOnboarded: status === undefined ? null : status === "ONBOARDED",
  };
}

/** Display numbers compared as Meta writes them in webhooks ("15550783881") and in the Graph API ("+1 555-078-3881"). */
export const sameDisplayNumber = (a: string | null | undefined, b: string | null | undefined) =>
  Boolean(a && b && a.replace(/\D/g, "") === b.replace(/\D/g, ""));
