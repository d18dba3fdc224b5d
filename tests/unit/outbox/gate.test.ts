import { describe, expect, it } from "vitest";
import { decide, type GateDecision, type GateSnapshot } from "../../../app/outbox/gate";
import { quietUntil } from "../../../app/outbox/quiet-hours";

const H = 3_600_000;
const D = 24 * H;
const at = (iso: string) => new Date(iso);

/** A snapshot in which everything allows the send; each case changes one thing. */
function base(now: Date, patch: (s: GateSnapshot) => void = () => {}): GateSnapshot {
  const s: GateSnapshot = {
    notification: {
      id: "n_self",
      flow: "abandoned_cart",
      sendAt: now,
      expiresAt: new Date(now.getTime() + 3 * D),
      templateName: "cart_reminder",
      templateLanguage: "en",
    },
    shop: { status: "installed", sendingPausedReason: null, sendingPausedUntil: null, timezone: "Europe/Madrid" },
    settings: {
      quietHoursEnabled: true,
      quietHoursStart: 21 * 60,
      quietHoursEnd: 9 * 60,
      marketingCapPerDay: 1,
      marketingCapPerWeek: 3,
      allowedCallingCodes: [],
      blockedCallingCodes: [],
      blockedMarketingCallingCodes: [],
      flowPriority: ["abandoned_cart", "back_in_stock", "reorder", "upsell", "promotion"],
      messagingLimitTier: 250,
      blockUsMarketing: true,
    },
    connection: { status: "healthy", spamHeldUntil: null },
    subscriber: { status: "subscribed", scope: "marketing", callingCode: "34", region: "ES", marketingStoppedAt: null, marketingBlockedUntil: null },
    template: { status: "APPROVED", category: "MARKETING" },
    flowPausedReason: null,
    flowState: { ok: true },
    marketingSentAt: [],
    lastSentAt: null,
    competitors: [],
    tier: { recipients: 0, subscriberIncluded: false, oldestSentAt: null },
  };
  patch(s);
  return s;
}

// Noon in Madrid on an ordinary day: outside the default quiet hours.
const NOON = at("2026-06-10T10:00:00Z");

type Expect = { action: "send" } | { action: "skip"; reason: string } | { action: "defer"; reason: string; until: string };

const cases: Array<[string, Date, (s: GateSnapshot) => void, Expect]> = [
  ["everything allows it", NOON, () => {}, { action: "send" }],
  ["expired", NOON, (s) => (s.notification.expiresAt = new Date(NOON.getTime() - 1)), { action: "skip", reason: "expired" }],
  ["shop uninstalled", NOON, (s) => (s.shop!.status = "uninstalled"), { action: "skip", reason: "shop_uninstalled" }],
  ["shop paused for an invalid token", NOON, (s) => (s.shop!.sendingPausedReason = "whatsapp_token_invalid"),
    { action: "defer", reason: "shop_paused:whatsapp_token_invalid", until: "2026-06-10T10:15:00.000Z" }],
  ["connection token invalid", NOON, (s) => (s.connection = { status: "token_invalid", spamHeldUntil: null }),
    { action: "defer", reason: "whatsapp_token_invalid", until: "2026-06-10T10:15:00.000Z" }],
  ["no WhatsApp connection, expiring before the retry", NOON, (s) => {
    s.connection = null;
    s.notification.expiresAt = new Date(NOON.getTime() + 60_000);
  }, { action: "skip", reason: "whatsapp_not_connected_until_expiry" }],
  ["unsubscribed", NOON, (s) => (s.subscriber!.status = "unsubscribed"), { action: "skip", reason: "consent_unsubscribed" }],
  ["pending subscriber gets no cart reminder", NOON, (s) => (s.subscriber!.status = "pending"), { action: "skip", reason: "consent_pending" }],
  ["pending subscriber gets the opt-in confirmation", NOON, (s) => {
    s.subscriber!.status = "pending";
    s.notification.flow = "optin_confirmation";
    s.template!.category = "UTILITY";
  }, { action: "send" }],
  ["utility-only consent blocks marketing", NOON, (s) => (s.subscriber!.scope = "utility"), { action: "skip", reason: "consent_scope_utility_only" }],
  ["utility-only consent allows an appointment reminder", NOON, (s) => {
    s.subscriber!.scope = "utility";
    s.notification.flow = "appointment";
    s.template!.category = "UTILITY";
  }, { action: "send" }],
  ["131050 stopped marketing suppresses marketing", NOON, (s) => (s.subscriber!.marketingStoppedAt = at("2026-06-01T00:00:00Z")),
    { action: "skip", reason: "marketing_stopped_by_user" }],
  ["131050 does not stop utility", NOON, (s) => {
    s.subscriber!.marketingStoppedAt = at("2026-06-01T00:00:00Z");
    s.notification.flow = "appointment";
    s.template!.category = "UTILITY";
  }, { action: "send" }],
  ["131049 limit defers marketing until the block lifts", NOON, (s) => (s.subscriber!.marketingBlockedUntil = at("2026-06-11T10:00:00Z")),
    { action: "defer", reason: "meta_marketing_limit", until: "2026-06-11T10:00:00.000Z" }],
  ["131049 limit past expiry skips", NOON, (s) => {
    s.subscriber!.marketingBlockedUntil = at("2026-06-11T10:00:00Z");
    s.notification.expiresAt = at("2026-06-11T00:00:00Z");
  }, { action: "skip", reason: "meta_marketing_limit_until_expiry" }],
  ["template missing", NOON, (s) => (s.template = null), { action: "skip", reason: "template_missing" }],
  ["template paused", NOON, (s) => (s.template!.status = "PAUSED"), { action: "skip", reason: "template_paused" }],
  ["marketing template recategorised to utility is not used for a cart reminder", NOON, (s) => (s.template!.category = "UTILITY"),
    { action: "skip", reason: "template_category_utility_not_marketing" }],
  ["utility template recategorised to marketing is not used for an appointment", NOON, (s) => {
    s.notification.flow = "appointment";
    s.template!.category = "MARKETING";
  }, { action: "skip", reason: "template_category_marketing_not_utility" }],
  ["US number gets no marketing", NOON, (s) => Object.assign(s.subscriber!, { callingCode: "1", region: "US" }),
    { action: "skip", reason: "marketing_not_allowed_to_region:US" }],
  ["Canadian +1 number gets marketing", NOON, (s) => Object.assign(s.subscriber!, { callingCode: "1", region: "CA" }), { action: "send" }],
  ["US number gets marketing when the merchant turned the US block off", NOON, (s) => {
    Object.assign(s.subscriber!, { callingCode: "1", region: "US" });
    s.settings.blockUsMarketing = false;
  }, { action: "send" }],
  ["a calling code the merchant closed to marketing", NOON, (s) => (s.settings.blockedMarketingCallingCodes = ["34"]),
    { action: "skip", reason: "marketing_not_allowed_to:+34" }],
  ["paused by a restriction that ends before the retry", NOON, (s) => {
    s.shop!.sendingPausedReason = "whatsapp_account_restricted";
    s.shop!.sendingPausedUntil = new Date(NOON.getTime() + 5 * 60_000);
  }, { action: "defer", reason: "shop_paused:whatsapp_account_restricted", until: "2026-06-10T10:05:00.000Z" }],
  ["a restriction past its end no longer pauses", NOON, (s) => {
    s.shop!.sendingPausedReason = "whatsapp_account_restricted";
    s.shop!.sendingPausedUntil = new Date(NOON.getTime() - 1);
  }, { action: "send" }],
  ["131048 holds the number", NOON, (s) => (s.connection = { status: "healthy", spamHeldUntil: new Date(NOON.getTime() + H) }),
    { action: "defer", reason: "meta_spam_rate_limit", until: "2026-06-10T11:00:00.000Z" }],
  ["a 131048 hold that has ended", NOON, (s) => (s.connection = { status: "healthy", spamHeldUntil: new Date(NOON.getTime() - 1) }), { action: "send" }],
  ["partner access removed", NOON, (s) => (s.connection = { status: "access_removed", spamHeldUntil: null }),
    { action: "defer", reason: "whatsapp_access_removed", until: "2026-06-10T10:15:00.000Z" }],
  ["US number gets utility", NOON, (s) => {
    Object.assign(s.subscriber!, { callingCode: "1", region: "US" });
    s.notification.flow = "appointment";
    s.template!.category = "UTILITY";
  }, { action: "send" }],
  ["calling code outside the allow list", NOON, (s) => (s.settings.allowedCallingCodes = ["44", "49"]), { action: "skip", reason: "country_not_allowed:+34" }],
  ["calling code blocked", NOON, (s) => (s.settings.blockedCallingCodes = ["34"]), { action: "skip", reason: "country_blocked:+34" }],
  ["flow paused", NOON, (s) => (s.flowPausedReason = "template_recategorised"), { action: "skip", reason: "flow_paused:template_recategorised" }],
  ["flow state no longer true", NOON, (s) => (s.flowState = { ok: false, reason: "cart_converted" }), { action: "skip", reason: "flow_state:cart_converted" }],

  // Quiet hours 21:00-09:00 Madrid (wraps midnight). Summer: UTC+2.
  ["23:30 Madrid defers to 09:00 next morning", at("2026-06-10T21:30:00Z"), () => {},
    { action: "defer", reason: "quiet_hours", until: "2026-06-11T07:00:00.000Z" }],
  ["03:00 Madrid defers to 09:00 the same morning", at("2026-06-10T01:00:00Z"), () => {},
    { action: "defer", reason: "quiet_hours", until: "2026-06-10T07:00:00.000Z" }],
  ["08:59 Madrid is still quiet", at("2026-06-10T06:59:00Z"), () => {}, { action: "defer", reason: "quiet_hours", until: "2026-06-10T07:00:00.000Z" }],
  ["09:00 Madrid sends", at("2026-06-10T07:00:00Z"), () => {}, { action: "send" }],
  ["20:59 Madrid sends", at("2026-06-10T18:59:00Z"), () => {}, { action: "send" }],
  // DST: Europe/Madrid springs forward 2026-03-29 02:00 -> 03:00; 23:00 on the 28th is UTC+1,
  // 09:00 on the 29th is UTC+2.
  ["quiet window across spring-forward ends at 09:00 CEST", at("2026-03-28T22:00:00Z"), () => {},
    { action: "defer", reason: "quiet_hours", until: "2026-03-29T07:00:00.000Z" }],
  // Falls back 2026-10-25 03:00 -> 02:00: 23:00 on the 24th is UTC+2, 09:00 on the 25th is UTC+1.
  ["quiet window across fall-back ends at 09:00 CET", at("2026-10-24T21:00:00Z"), () => {},
    { action: "defer", reason: "quiet_hours", until: "2026-10-25T08:00:00.000Z" }],
  ["New York shop: 22:00 EST defers to 09:00 EST", at("2026-01-15T03:00:00Z"), (s) => (s.shop!.timezone = "America/New_York"),
    { action: "defer", reason: "quiet_hours", until: "2026-01-15T14:00:00.000Z" }],
  ["the opt-in confirmation is not held by quiet hours", at("2026-06-10T21:30:00Z"), (s) => {
    s.notification.flow = "optin_confirmation";
    s.template!.category = "UTILITY";
  }, { action: "send" }],
  ["an appointment reminder is held by quiet hours", at("2026-06-10T21:30:00Z"), (s) => {
    s.notification.flow = "appointment";
    s.template!.category = "UTILITY";
  }, { action: "defer", reason: "quiet_hours", until: "2026-06-11T07:00:00.000Z" }],
  ["quiet hours off", at("2026-06-10T21:30:00Z"), (s) => (s.settings.quietHoursEnabled = false), { action: "send" }],
  ["non-wrapping window 12:00-14:00 Tokyo", at("2026-06-10T04:00:00Z"), (s) => {
    s.shop!.timezone = "Asia/Tokyo";
    s.settings.quietHoursStart = 12 * 60;
    s.settings.quietHoursEnd = 14 * 60;
  }, { action: "defer", reason: "quiet_hours", until: "2026-06-10T05:00:00.000Z" }],

  // Frequency caps (defaults 1/day, 3/week), counted from messages sent.
  ["daily cap reached: waits a rolling day from the last send", NOON, (s) => (s.marketingSentAt = [at("2026-06-10T08:00:00Z")]),
    { action: "defer", reason: "cap_per_day", until: "2026-06-11T08:00:00.000Z" }],
  ["daily cap just freed (sent 24 h + 1 ms ago)", NOON, (s) => (s.marketingSentAt = [new Date(NOON.getTime() - D - 1)]), { action: "send" }],
  ["daily cap of 2 with one sent", NOON, (s) => {
    s.settings.marketingCapPerDay = 2;
    s.marketingSentAt = [at("2026-06-10T08:00:00Z")];
    s.lastSentAt = at("2026-06-10T08:00:00Z");
  }, { action: "send" }],
  ["weekly cap reached at 3", NOON, (s) => (s.marketingSentAt = [at("2026-06-05T10:00:00Z"), at("2026-06-07T10:00:00Z"), at("2026-06-09T09:00:00Z")]),
    { action: "defer", reason: "cap_per_week", until: "2026-06-12T10:00:00.000Z" }],
  ["weekly cap with two sent", NOON, (s) => (s.marketingSentAt = [at("2026-06-07T10:00:00Z"), at("2026-06-09T09:00:00Z")]), { action: "send" }],
  ["caps do not apply to utility", NOON, (s) => {
    s.notification.flow = "appointment";
    s.template!.category = "UTILITY";
    s.marketingSentAt = [at("2026-06-10T09:30:00Z")];
  }, { action: "send" }],

  // Flow priority: the higher flow goes, the lower waits a spacing window after it.
  ["promotion yields to a cart reminder due now", NOON, (s) => {
    s.notification.flow = "promotion";
    s.competitors = [{ id: "n_cart", flow: "abandoned_cart", sendAt: NOON, status: "scheduled" }];
  }, { action: "defer", reason: "priority:abandoned_cart", until: "2026-06-10T11:00:00.000Z" }],
  ["cart reminder does not yield to a promotion", NOON, (s) => {
    s.competitors = [{ id: "n_promo", flow: "promotion", sendAt: NOON, status: "sending" }];
  }, { action: "send" }],
  ["a higher flow due next week does not hold this one", NOON, (s) => {
    s.notification.flow = "upsell";
    s.competitors = [{ id: "n_bis", flow: "back_in_stock", sendAt: new Date(NOON.getTime() + 7 * D), status: "scheduled" }];
  }, { action: "send" }],
  ["same flow twice: the earlier id wins", NOON, (s) => {
    s.notification.flow = "back_in_stock";
    s.competitors = [{ id: "n_a", flow: "back_in_stock", sendAt: NOON, status: "scheduled" }];
  }, { action: "defer", reason: "priority:back_in_stock", until: "2026-06-10T11:00:00.000Z" }],
  ["message sent 10 minutes ago: spacing", NOON, (s) => {
    s.settings.marketingCapPerDay = 5;
    s.marketingSentAt = [new Date(NOON.getTime() - 10 * 60_000)];
    s.lastSentAt = new Date(NOON.getTime() - 10 * 60_000);
  }, { action: "defer", reason: "spacing", until: "2026-06-10T10:50:00.000Z" }],

  // Messaging-limit tier: unique recipients per rolling 24 h.
  ["tier full, new recipient waits for the oldest to leave the window", NOON, (s) => {
    s.settings.messagingLimitTier = 250;
    s.tier = { recipients: 250, subscriberIncluded: false, oldestSentAt: at("2026-06-09T18:00:00Z") };
  }, { action: "defer", reason: "messaging_limit_tier", until: "2026-06-10T18:00:00.000Z" }],
  ["tier full, but this shopper already counts", NOON, (s) => {
    s.tier = { recipients: 250, subscriberIncluded: true, oldestSentAt: at("2026-06-09T18:00:00Z") };
  }, { action: "send" }],
  ["tier one below the limit", NOON, (s) => (s.tier = { recipients: 249, subscriberIncluded: false, oldestSentAt: at("2026-06-09T18:00:00Z") }), { action: "send" }],
  ["unlimited tier", NOON, (s) => {
    s.settings.messagingLimitTier = 0;
    s.tier = { recipients: 100_000, subscriberIncluded: false, oldestSentAt: at("2026-06-09T18:00:00Z") };
  }, { action: "send" }],
];

function normalise(d: GateDecision) {
  return d.action === "defer" ? { action: d.action, reason: d.reason, until: d.until.toISOString() } : d;
}

describe("policy gate", () => {
  it.each(cases)("%s", (_name, now, patch, expected) => {
    expect(normalise(decide(base(now, patch), now))).toEqual(expected);
  });

  it("never defers to an instant in the past or inside quiet hours, across a year of hours", () => {
    const quiet = { enabled: true, start: 21 * 60, end: 9 * 60, timeZone: "America/Sao_Paulo" };
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 3 * H + 17 * 60_000) {
      const until = quietUntil(new Date(t), quiet);
      if (!until) continue;
      expect(until.getTime()).toBeGreaterThan(t);
      expect(quietUntil(until, quiet)).toBeNull();
    }
  });
});
