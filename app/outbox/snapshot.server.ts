import type { Prisma } from "@prisma/client";
import prisma from "../db.server";
import { recheckFlowState } from "../flows/recheck.server";
import { isMarketingFlow } from "./flow-category";
import type { GateSnapshot } from "./gate";
import { marketingSentSince, tierUsage } from "./claim.server";
import { GATE_SUBSCRIBER_SELECT, type ClaimedNotification, type GateSubscriber } from "./types";

const DAY = 24 * 3_600_000;
export const DEFAULT_SETTINGS: GateSnapshot["settings"] = {
  quietHoursEnabled: true,
  quietHoursStart: 1260,
  quietHoursEnd: 540,
  marketingCapPerDay: 1,
  marketingCapPerWeek: 3,
  allowedCallingCodes: [],
  blockedCallingCodes: [],
  blockedMarketingCallingCodes: ["1"],
  flowPriority: ["abandoned_cart", "back_in_stock", "reorder", "upsell", "promotion"],
  messagingLimitTier: 250,
};

export const UNLIMITED_TIER: GateSnapshot["tier"] = { recipients: 0, subscriberIncluded: false, oldestSentAt: null };

/** Everything the gate needs about one claimed message, read just before it is decided. */
export async function loadSnapshot(row: ClaimedNotification, now: Date): Promise<LoadedSnapshot> {
  const { shop } = row;
  const [shopRow, connection, subscriber, template, flowSetting, flowState] = await Promise.all([
    prisma.shop.findUnique({ where: { shop }, include: { settings: true } }),
    prisma.whatsAppConnection.findUnique({ where: { shop }, select: { status: true } }),
    row.subscriberId ? prisma.subscriber.findFirst({ where: { shop, id: row.subscriberId }, select: GATE_SUBSCRIBER_SELECT }) : null,
    prisma.messageTemplate.findUnique({
      where: { shop_name_language: { shop, name: row.templateName, language: row.templateLanguage } },
      select: { status: true, category: true },
    }),
    prisma.flowSetting.findUnique({ where: { shop_flow: { shop, flow: row.flow } }, select: { pausedReason: true } }),
    recheckFlowState(row, now),
  ]);

  const marketing = isMarketingFlow(row.flow);
  const [marketingSentAt, last, competitors, tier] = subscriber
    ? await Promise.all([
        marketing ? marketingSentSince(shop, subscriber.id, new Date(now.getTime() - 7 * DAY)) : Promise.resolve([]),
        prisma.notification.findFirst({
          where: { shop, subscriberId: subscriber.id, sentAt: { not: null } },
          orderBy: { sentAt: "desc" },
          select: { sentAt: true },
        }),
        marketing
          ? prisma.notification.findMany({
              where: { shop, subscriberId: subscriber.id, id: { not: row.id }, status: { in: ["scheduled", "sending"] } },
              select: { id: true, flow: true, sendAt: true, status: true },
              take: 50,
            })
          : Promise.resolve([]),
        // Counting the shop's recipients of the last 24 h reads every message it sent in that
        // time; per message sent that grows with the send, so skip it when the tier is unlimited.
        (shopRow?.settings ?? DEFAULT_SETTINGS).messagingLimitTier > 0 ? tierUsage(shop, subscriber.id, now) : Promise.resolve(UNLIMITED_TIER),
      ])
    : [[], null, [], { recipients: 0, subscriberIncluded: false, oldestSentAt: null }];

  return composeSnapshot(row, {
    shopRow,
    connection,
    subscriber,
    template,
    flowPausedReason: flowSetting?.pausedReason ?? null,
    flowState,
    marketingSentAt,
    lastSentAt: last?.sentAt ?? null,
    competitors,
    tier,
  });
}

type ShopWithSettings = Prisma.ShopGetPayload<{ include: { settings: true } }>;

/** What was read about one message, wherever it was read from (per message or per batch). */
export interface SnapshotParts extends Pick<GateSnapshot, "connection" | "template" | "flowPausedReason" | "flowState" | "marketingSentAt" | "lastSentAt" | "competitors" | "tier"> {
  shopRow: ShopWithSettings | null;
  subscriber: GateSubscriber | null;
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
      templateLanguage: row.templateLanguage,
    },
    shop: shopRow ? { status: shopRow.status, sendingPausedReason: shopRow.sendingPausedReason, timezone: shopRow.timezone } : null,
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
        }
      : DEFAULT_SETTINGS,
    connection: parts.connection,
    subscriber: subscriber
      ? {
          status: subscriber.status,
          scope: subscriber.scope,
          callingCode: subscriber.callingCode,
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
