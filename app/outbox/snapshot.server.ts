import type { Prisma } from "@prisma/client";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { isMarketingFlow } from "./flow-category";
import type { GateSnapshot } from "./gate";
import type { ClaimedNotification, GateSubscriber } from "./types";

/**
 * The gate's snapshot of one message, composed from what was read about it. The reads are in
 * batch-snapshot.server.ts, for a claimed batch or for one message (a batch of one).
 */
export const DEFAULT_SETTINGS: GateSnapshot["settings"] = {
  quietHoursEnabled: true,
  quietHoursStart: 1260,
  quietHoursEnd: 540,
  marketingCapPerDay: 1,
  marketingCapPerWeek: 3,
  allowedCallingCodes: [],
  blockedCallingCodes: [],
  blockedMarketingCallingCodes: [],
  flowPriority: ["abandoned_cart", "back_in_stock", "reorder", "upsell", "promotion"],
  messagingLimitTier: 250,
  blockUsMarketing: true,
};

export const UNLIMITED_TIER: GateSnapshot["tier"] = { recipients: 0, subscriberIncluded: false, oldestSentAt: null };

type ShopWithSettings = Prisma.ShopGetPayload<{ include: { settings: true } }>;

/** What was read about one message. */
export interface SnapshotParts extends Pick<GateSnapshot, "connection" | "template" | "flowPausedReason" | "flowState" | "marketingSentAt" | "lastSentAt" | "competitors" | "tier"> {
  shopRow: ShopWithSettings | null;
  subscriber: GateSubscriber | null;
  /** The language it goes out in (template-language.ts); `template` is that language's version */
  language: string;
}

export interface LoadedSnapshot {
  snapshot: GateSnapshot;
  useMarketingApi: boolean;
  phone: string | null;
}

export function composeSnapshot(row: ClaimedNotification, parts: SnapshotParts): LoadedSnapshot {
  const { shopRow, subscriber } = parts;
  const settings = shopRow?.settings;
  const marketing = isMarketingFlow(row.flow);
  const snapshot: GateSnapshot = {
    notification: {
      id: row.id,
      flow: row.flow,
      sendAt: row.sendAt,
      expiresAt: row.expiresAt,
      templateName: row.templateName,
      templateLanguage: parts.language,
    },
    shop: shopRow
      ? { status: shopRow.status, sendingPausedReason: shopRow.sendingPausedReason, sendingPausedUntil: shopRow.sendingPausedUntil, timezone: shopRow.timezone }
      : null,
    settings: settings
      ? {
          quietHoursEnabled: settings.quietHoursEnabled,
          quietHoursStart: settings.quietHoursStart,
          quietHoursEnd: settings.quietHoursEnd,
          marketingCapPerDay: settings.marketingCapPerDay,
          marketingCapPerWeek: settings.marketingCapPerWeek,
          allowedCallingCodes: settings.allowedCallingCodes,
          blockedCallingCodes: settings.blockedCallingCodes,
          blockedMarketingCallingCodes: settings.blockedMarketingCallingCodes,
          flowPriority: settings.flowPriority,
          messagingLimitTier: settings.messagingLimitTier,
          blockUsMarketing: settings.blockUsMarketing,
        }
      : DEFAULT_SETTINGS,
    connection: parts.connection,
    subscriber: subscriber
      ? {
          status: subscriber.status,
          scope: subscriber.scope,
          callingCode: subscriber.callingCode,
          region: subscriber.countryCode ?? regionOf(subscriber.phone),
          marketingStoppedAt: subscriber.marketingStoppedAt,
          marketingBlockedUntil: subscriber.marketingBlockedUntil,
        }
      : null,
    template: parts.template,
    flowPausedReason: parts.flowPausedReason,
    flowState: parts.flowState,
    marketingSentAt: parts.marketingSentAt,
    lastSentAt: parts.lastSentAt,
    competitors: parts.competitors,
    tier: parts.tier,
  };
  return {
    snapshot,
    useMarketingApi: marketing && (settings?.useMarketingMessagesApi ?? false),
    phone: subscriber?.phone ?? null,
  };
}

/** The region a number belongs to ("US", "CA"), for subscribers stored before it was recorded. */
function regionOf(phone: string): string | null {
  return parsePhoneNumberFromString(phone)?.country ?? null;
}
