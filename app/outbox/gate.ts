import type { ConnectionStatus, Flow, NotificationStatus, ShopStatus, SubscriberStatus, TemplateCategory } from "@prisma/client";
import { FLOW_CATEGORY, isMarketingFlow } from "./flow-category";
import { quietUntil } from "./quiet-hours";

/**
 * The policy gate: one pure function that decides, from a snapshot the dispatcher loads, whether
 * a message goes out now, waits, or is dropped. No I/O and no clock of its own, so every rule is
 * a row in a table test. Every answer carries a reason that ends up on the row and its timeline.
 */
export type GateDecision =
  | { action: "send" }
  | { action: "defer"; until: Date; reason: string }
  | { action: "skip"; reason: string };

export interface GateSnapshot {
  notification: {
    id: string;
    flow: Flow;
    sendAt: Date;
    expiresAt: Date | null;
    templateName: string;
    templateLanguage: string;
  };
  shop: {
    status: ShopStatus;
    sendingPausedReason: string | null;
    /** The pause ends by itself then (a restriction's expiration); null = until lifted */
    sendingPausedUntil: Date | null;
    timezone: string;
  } | null;
  settings: {
    quietHoursEnabled: boolean;
    quietHoursStart: number;
    quietHoursEnd: number;
    marketingCapPerDay: number;
    marketingCapPerWeek: number;
    allowedCallingCodes: string[];
    blockedCallingCodes: string[];
    blockedMarketingCallingCodes: string[];
    flowPriority: string[];
    messagingLimitTier: number;
    /** Meta's block on marketing to US numbers, applied by the number's region */
    blockUsMarketing: boolean;
  };
  /** spamHeldUntil: Meta's spam rate limit (131048) holds the number until then */
  connection: { status: ConnectionStatus; spamHeldUntil: Date | null } | null;
  subscriber: {
    status: SubscriberStatus;
    scope: "marketing" | "utility";
    callingCode: string;
    /** ISO 3166 region of the number ("US", "CA"); null when unknown */
    region: string | null;
    marketingStoppedAt: Date | null;
    marketingBlockedUntil: Date | null;
  } | null;
  template: { status: string; category: TemplateCategory } | null;
  /** FlowSetting.pausedReason, when the flow has a setting row */
  flowPausedReason: string | null;
  /** The flow's send-time re-check (FlowRecheck, see ports.ts) */
  flowState: { ok: true } | { ok: false; reason: string };
  /** When marketing messages went to this subscriber in the last 7 days */
  marketingSentAt: Date[];
  /** When any message last went to this subscriber */
  lastSentAt: Date | null;
  /** Other live messages for the same subscriber (scheduled or being sent) */
  competitors: Array<{ id: string; flow: Flow; sendAt: Date; status: NotificationStatus }>;
  /** Business-initiated tier usage over the rolling 24 h */
  tier: { recipients: number; subscriberIncluded: boolean; oldestSentAt: Date | null };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A shopper gets at most one marketing message per this window, whatever the flows want. */
export const SPACING_MS = HOUR;
/** How long to wait when sending is paused for the whole shop before asking again. */
export const PAUSED_RETRY_MS = 15 * 60_000;

const send = (): GateDecision => ({ action: "send" });
const skip = (reason: string): GateDecision => ({ action: "skip", reason });

export function decide(s: GateSnapshot, now: Date): GateDecision {
  const n = s.notification;
  const marketing = isMarketingFlow(n.flow);

  // Expiry first: a stale reminder is worse than none.
  if (n.expiresAt && n.expiresAt.getTime() <= now.getTime()) return skip("expired");

  if (!s.shop || s.shop.status !== "installed") return skip("shop_uninstalled");
  const pausedUntil = s.shop.sendingPausedUntil?.getTime();
  if (s.shop.sendingPausedReason && (pausedUntil === undefined || pausedUntil > now.getTime())) {
    // Asked again every few minutes (Meta may lift it early), never past its announced end.
    const retry = Math.min(now.getTime() + PAUSED_RETRY_MS, pausedUntil ?? Infinity);
    return deferOrSkip(s, retry, `shop_paused:${s.shop.sendingPausedReason}`);
  }
  if (!s.connection) return deferOrSkip(s, now.getTime() + PAUSED_RETRY_MS, "whatsapp_not_connected");
  if (s.connection.status !== "healthy") return deferOrSkip(s, now.getTime() + PAUSED_RETRY_MS, `whatsapp_${s.connection.status}`);
  // 131048: Meta blocked or flagged too many of the number's messages as spam; wait it out.
  const spamHeld = s.connection.spamHeldUntil?.getTime();
  if (spamHeld !== undefined && spamHeld > now.getTime()) return deferOrSkip(s, spamHeld, "meta_spam_rate_limit");

  // Consent: an opt-in that covers this kind of message. The opt-in confirmation itself goes to
  // a pending subscriber (double opt-in asks them to confirm).
  const sub = s.subscriber;
  if (!sub) return skip("subscriber_missing");
  const allowedStatus = n.flow === "optin_confirmation" ? ["pending", "subscribed"] : ["subscribed"];
  if (!allowedStatus.includes(sub.status)) return skip(`consent_${sub.status}`);
  if (marketing && sub.scope !== "marketing") return skip("consent_scope_utility_only");
  // 131050: the shopper stopped marketing from this number; WhatsApp says never retry.
  if (marketing && sub.marketingStoppedAt) return skip("marketing_stopped_by_user");

  // Template: approved, and still in the category the flow needs (Meta recategorises).
  if (!s.template) return skip("template_missing");
  if (s.template.status !== "APPROVED") return skip(`template_${s.template.status.toLowerCase()}`);
  const expected = FLOW_CATEGORY[n.flow];
  if (s.template.category !== expected) return skip(`template_category_${s.template.category.toLowerCase()}_not_${expected.toLowerCase()}`);

  // Country eligibility by calling code.
  const code = sub.callingCode.replace(/^\+/, "");
  if (s.settings.allowedCallingCodes.length > 0 && !s.settings.allowedCallingCodes.includes(code)) {
    return skip(`country_not_allowed:+${code}`);
  }
  if (s.settings.blockedCallingCodes.includes(code)) return skip(`country_blocked:+${code}`);
  if (marketing && s.settings.blockedMarketingCallingCodes.includes(code)) {
    return skip(`marketing_not_allowed_to:+${code}`);
  }
  if (marketing && s.settings.blockUsMarketing && sub.region === "US") return skip("marketing_not_allowed_to_region:US");

  if (s.flowPausedReason) return skip(`flow_paused:${s.flowPausedReason}`);
  if (!s.flowState.ok) return skip(`flow_state:${s.flowState.reason}`);

  // 131049: Meta's per-user marketing limit; no marketing before the block lifts.
  if (marketing && sub.marketingBlockedUntil && sub.marketingBlockedUntil.getTime() > now.getTime()) {
    return deferOrSkip(s, sub.marketingBlockedUntil.getTime(), "meta_marketing_limit");
  }

  // The opt-in confirmation answers what the shopper just did on the storefront; holding it until
  // morning would leave the double opt-in hanging. Everything else waits for the morning.
  const quiet = n.flow === "optin_confirmation" ? null : quietUntil(now, {
    enabled: s.settings.quietHoursEnabled,
    start: s.settings.quietHoursStart,
    end: s.settings.quietHoursEnd,
    timeZone: s.shop.timezone,
  });
  if (quiet) return deferOrSkip(s, quiet.getTime(), "quiet_hours");

  if (marketing) {
    const held = marketingLimits(s, now);
    if (held) return held;
  }

  // Messaging-limit tier: a new recipient counts against unique people per rolling 24 h.
  // Pace by waiting for the oldest one to leave the window rather than hitting Meta's wall.
  const tier = s.settings.messagingLimitTier;
  if (tier > 0 && !s.tier.subscriberIncluded && s.tier.recipients >= tier) {
    const freesAt = (s.tier.oldestSentAt?.getTime() ?? now.getTime()) + DAY;
    return deferOrSkip(s, Math.max(freesAt, now.getTime() + 60_000), "messaging_limit_tier");
  }

  return send();
}

/** Frequency caps, spacing and flow priority: one shopper never gets a burst. */
function marketingLimits(s: GateSnapshot, now: Date): GateDecision | null {
  const t = now.getTime();
  const inDay = s.marketingSentAt.filter((at) => at.getTime() > t - DAY).sort((a, b) => a.getTime() - b.getTime());
  const inWeek = s.marketingSentAt.filter((at) => at.getTime() > t - 7 * DAY).sort((a, b) => a.getTime() - b.getTime());
  if (inDay.length >= s.settings.marketingCapPerDay) {
    // The cap frees up when enough of today's messages leave the rolling day.
    const release = inDay[inDay.length - s.settings.marketingCapPerDay];
    return deferOrSkip(s, (release?.getTime() ?? t) + DAY, "cap_per_day");
  }
  if (inWeek.length >= s.settings.marketingCapPerWeek) {
    const release = inWeek[inWeek.length - s.settings.marketingCapPerWeek];
    return deferOrSkip(s, (release?.getTime() ?? t) + 7 * DAY, "cap_per_week");
  }
  if (s.lastSentAt && s.lastSentAt.getTime() > t - SPACING_MS) {
    return deferOrSkip(s, s.lastSentAt.getTime() + SPACING_MS, "spacing");
  }

  const rank = (flow: Flow) => {
    const i = s.settings.flowPriority.indexOf(flow);
    return i === -1 ? s.settings.flowPriority.length : i;
  };
  const self = s.notification;
  const mine = rank(self.flow);
  // A competitor wins if its flow ranks higher, or on a tie if it was due first (then by id),
  // so of two messages only one ever goes and the other waits for the spacing window.
  const winner = s.competitors
    .filter((c) => isMarketingFlow(c.flow) && c.sendAt.getTime() <= t + SPACING_MS)
    .filter((c) => {
      const theirs = rank(c.flow);
      if (theirs !== mine) return theirs < mine;
      if (c.sendAt.getTime() !== self.sendAt.getTime()) return c.sendAt.getTime() < self.sendAt.getTime();
      return c.id < self.id;
    })
    .sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime())[0];
  if (winner) {
    const after = Math.max(winner.sendAt.getTime(), t) + SPACING_MS;
    return deferOrSkip(s, after, `priority:${winner.flow}`);
  }
  return null;
}

/** Waiting past the message's expiry is the same as dropping it. */
function deferOrSkip(s: GateSnapshot, until: number, reason: string): GateDecision {
  const expires = s.notification.expiresAt?.getTime();
  if (expires !== undefined && until >= expires) return skip(`${reason}_until_expiry`);
  return { action: "defer", until: new Date(until), reason };
}
