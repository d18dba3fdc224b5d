import type { GraphAnswer, ManagedNumber } from "./business-management";
import type { GraphRequest, GraphRoute } from "./server";

/**
 * Meta's account-level signals in the fake Cloud API: the business portfolio's messaging limit
 * and a number's quality rating (read on GET /{phone-number-id} by business-management.ts from
 * the numbers these setters change), the account's Marketing Messages API onboarding
 * (GET /{waba-id}?fields=marketing_messages_onboarding_status), and the webhooks Meta sends when
 * any of them change, signed like every other webhook of the fake.
 * Limits: https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits
 * Webhooks: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/account_update
 *           https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/business_capability_update
 *           https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_quality_update
 */
export type Tier = "TIER_250" | "TIER_2K" | "TIER_10K" | "TIER_100K" | "TIER_UNLIMITED";

const TIER_COUNTS: Record<Tier, number> = { TIER_250: 250, TIER_2K: 2000, TIER_10K: 10000, TIER_100K: 100000, TIER_UNLIMITED: -1 };

type Deliver = (payload: unknown) => Promise<Response>;

export class AccountSignals {
  /** marketing_messages_onboarding_status per account (Meta's values: ELIGIBLE, ONBOARDED, ...) */
  private readonly onboarding = new Map<string, string>();

  constructor(
    private readonly numbers: ManagedNumber[],
    private readonly deliver: Deliver,
  ) {}

  /** Sets the portfolio's limit: every number of the account reads it (no webhook sent). */
  setLimit(wabaId: string, tier: Tier) {
    for (const n of this.numbers) if (n.wabaId === wabaId) n.messagingLimit = tier;
  }

  setQuality(phoneNumberId: string, rating: "GREEN" | "YELLOW" | "RED" | "UNKNOWN") {
    const number = this.numbers.find((n) => n.phoneNumberId === phoneNumberId);
    if (!number) throw new Error(`unknown number ${phoneNumberId}`);
    number.qualityRating = rating;
  }

  setMarketingMessagesOnboarding(wabaId: string, status: string) {
    this.onboarding.set(wabaId, status);
  }

  /** GET /{waba-id}?fields=marketing_messages_onboarding_status */
  readonly route: GraphRoute = (request: GraphRequest): GraphAnswer | null => {
    if (request.method !== "GET" || request.path.length !== 1) return null;
    const [node] = request.path;
    const fields = (request.url.searchParams.get("fields") ?? "").split(",");
    if (!fields.includes("marketing_messages_onboarding_status")) return null;
    const own = this.numbers.some((n) => n.wabaId === node && n.accessToken === request.token);
    if (!own) return null; // business-management.ts answers the token and permission errors
    return { status: 200, body: { id: node, marketing_messages_onboarding_status: this.onboarding.get(node) ?? "ELIGIBLE" } };
  };

  private envelope(entryId: string, field: string, value: Record<string, unknown>) {
    return { object: "whatsapp_business_account", entry: [{ id: entryId, time: Math.floor(Date.now() / 1000), changes: [{ field, value }] }] };
  }

  /** business_capability_update after Meta raised or lowered the portfolio's limit (also set here). */
  sendCapabilityUpdate(wabaId: string, tier: Tier) {
    this.setLimit(wabaId, tier);
    return this.deliver(
      this.envelope(wabaId, "business_capability_update", {
        max_daily_conversation_per_phone: TIER_COUNTS[tier],
        max_daily_conversations_per_business: TIER_COUNTS[tier],
        max_phone_numbers_per_business: 20,
        max_phone_numbers_per_waba: 20,
      }),
    );
  }

  /** phone_number_quality_update for one number: FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE. */
  sendQualityUpdate(phoneNumberId: string, event: string, tier?: Tier) {
    const number = this.numbers.find((n) => n.phoneNumberId === phoneNumberId);
    if (!number) throw new Error(`unknown number ${phoneNumberId}`);
    const old = number.messagingLimit ?? "TIER_250";
    if (tier) this.setLimit(number.wabaId, tier);
    if (event === "FLAGGED") number.qualityRating = "RED";
    if (event === "UNFLAGGED") number.qualityRating = "GREEN";
    const value: Record<string, unknown> = {
      display_phone_number: (number.displayPhoneNumber ?? "15550000000").replace(/\D/g, ""),
      event,
      current_limit: tier ?? old,
      max_daily_conversations_per_business: tier ?? old,
    };
    if (tier) value.old_limit = old;
    return this.deliver(this.envelope(number.wabaId, "phone_number_quality_update", value));
  }

  /** account_update with whatever the event carries (restriction_info, ban_info, violation_info, waba_info). */
  sendAccountUpdate(wabaId: string, event: string, extra: Record<string, unknown> = {}) {
    return this.deliver(this.envelope(wabaId, "account_update", { event, ...extra }));
  }

  /** A restriction on business-initiated messaging until `expiration` (Meta's "+0000" time format). */
  sendRestriction(wabaId: string, expiration: Date, type = "RESTRICTED_BIZ_INITIATED_MESSAGING") {
    const metaTime = expiration.toISOString().replace(/\.\d{3}Z$/, "+0000");
    return this.sendAccountUpdate(wabaId, "ACCOUNT_RESTRICTION", { restriction_info: [{ restriction_type: type, expiration: metaTime }] });
  }

  /** The Marketing Messages API terms signed: Meta names the business in the entry and the account in waba_info. */
  sendMarketingMessagesTermsSigned(wabaId: string, businessId = "1000000001") {
    this.setMarketingMessagesOnboarding(wabaId, "ONBOARDED");
    return this.deliver(this.envelope(businessId, "account_update", { event: "MM_LITE_TERMS_SIGNED", waba_info: { waba_id: wabaId, owner_business_id: businessId } }));
  }
}
