import prisma from "../db.server";
import { FLOW_CATEGORY, isMarketingFlow } from "./flow-category";
import type { GateSnapshot } from "./gate";
import { composeSnapshot, DEFAULT_SETTINGS, UNLIMITED_TIER, type LoadedSnapshot } from "./snapshot.server";
import type { FlowRecheck } from "./ports";
import { sendLanguage } from "./template-language";
import { GATE_SUBSCRIBER_SELECT, type ClaimedNotification } from "./types";

/**
 * The gate's snapshot for a whole claimed batch at once: one query per kind of fact and shop
 * instead of about ten per message. Per-message reads kept the dispatcher far below a number's
 * throughput (Meta allows up to 1,000 msg/s per number). One message read again on its own is a
 * batch of one (loadSnapshot), so both go through the same reads and the same flow re-check.
 *
 * The facts are as of the batch's start. The dispatcher therefore uses these only for the first
 * message of each subscriber in the batch (later ones see that subscriber's own sends only after
 * they are recorded, so it reads them again) and adds the recipients it reached since to the
 * messaging-limit tier itself (see TierUsage).
 */
export interface BatchSnapshots {
  get(row: ClaimedNotification): LoadedSnapshot | undefined;
  /** Subscribers of the batch already counted in the shop's 24 h recipients when it was read */
  tierIncluded(shop: string): ReadonlySet<string>;
}

const DAY = 24 * 3_600_000;
const NONE: ReadonlySet<string> = new Set();
const MARKETING_FLOWS = Object.entries(FLOW_CATEGORY)
  .filter(([, category]) => category === "MARKETING")
  .map(([flow]) => flow);

interface ShopFacts {
  marketingSentAt: Map<string, Date[]>;
  lastSentAt: Map<string, Date>;
  competitors: Map<string, GateSnapshot["competitors"]>;
  tier: { recipients: number; oldestSentAt: Date | null; included: Set<string> } | null;
}

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** One message's snapshot as of now: a batch of one. */
export async function loadSnapshot(row: ClaimedNotification, now: Date, recheck: FlowRecheck): Promise<LoadedSnapshot> {
  const loaded = (await loadBatchSnapshots([row], now, recheck)).get(row);
  if (!loaded) throw new Error("snapshot: the message was not in its own batch");
  return loaded;
}

export async function loadBatchSnapshots(rows: ClaimedNotification[], now: Date, recheck: FlowRecheck): Promise<BatchSnapshots> {
  const shops = [...new Set(rows.map((r) => r.shop))];
  const [shopRows, connections, subscribers, templates, flowSettings, flowStates] = await Promise.all([
    prisma.shop.findMany({ where: { shop: { in: shops } }, include: { settings: true } }),
    prisma.whatsAppConnection.findMany({ where: { shop: { in: shops } }, select: { shop: true, status: true, spamHeldUntil: true } }),
    Promise.all(
      shops.map((shop) => {
        const ids = [...new Set(rows.filter((r) => r.shop === shop && r.subscriberId).map((r) => r.subscriberId!))];
        return ids.length ? prisma.subscriber.findMany({ where: { shop, id: { in: ids } }, select: { ...GATE_SUBSCRIBER_SELECT, locale: true } }) : [];
      }),
    ).then((lists) => lists.flat()),
    prisma.messageTemplate.findMany({
      where: { shop: { in: shops }, name: { in: [...new Set(rows.map((r) => r.templateName))] } },
      // Every language of the batch's templates: a message may go out in its shopper's.
      select: { shop: true, name: true, language: true, status: true, category: true, components: true },
    }),
    prisma.flowSetting.findMany({
      where: { shop: { in: shops }, flow: { in: [...new Set(rows.map((r) => r.flow))] } },
      select: { shop: true, flow: true, pausedReason: true },
    }),
    recheck(rows, now),
  ]);

  const key = (...parts: string[]) => parts.join("\u0000");
  const shopOf = new Map(shopRows.map((s) => [s.shop, s]));
  const connectionOf = new Map(connections.map((c) => [c.shop, { status: c.status, spamHeldUntil: c.spamHeldUntil }]));
  const subscriberOf = new Map(subscribers.map((s) => [key(s.shop, s.id), s]));
  const templateOf = new Map(templates.map((t) => [key(t.shop, t.name, t.language), t]));
  const pausedOf = new Map(flowSettings.map((f) => [key(f.shop, f.flow), f.pausedReason]));
  const stateOf = new Map(rows.map((r, i) => [r.id, flowStates[i]]));

  const facts = new Map<string, ShopFacts>();
  await Promise.all(
    shops.map(async (shop) => {
      const batch = rows.filter((r) => r.shop === shop && r.subscriberId && subscriberOf.has(key(shop, r.subscriberId)));
      const all = [...new Set(batch.map((r) => r.subscriberId!))];
      const marketing = [...new Set(batch.filter((r) => isMarketingFlow(r.flow)).map((r) => r.subscriberId!))];
      const tierLimit = (shopOf.get(shop)?.settings ?? DEFAULT_SETTINGS).messagingLimitTier;
      facts.set(shop, await loadShopFacts(shop, all, marketing, tierLimit > 0, now));
    }),
  );

  return {
    get(row) {
      const shopRow = shopOf.get(row.shop) ?? null;
      const subscriber = row.subscriberId ? subscriberOf.get(key(row.shop, row.subscriberId)) ?? null : null;
      const flowState = stateOf.get(row.id);
      if (!flowState) return undefined;
      const shopFacts = facts.get(row.shop);
      const marketing = isMarketingFlow(row.flow);
      const id = subscriber?.id ?? "";
      const tier = !subscriber
        ? { recipients: 0, subscriberIncluded: false, oldestSentAt: null }
        : shopFacts?.tier
          ? { recipients: shopFacts.tier.recipients, subscriberIncluded: shopFacts.tier.included.has(id), oldestSentAt: shopFacts.tier.oldestSentAt }
          : UNLIMITED_TIER;
      const locales = { shopper: subscriber?.locale ?? null, shop: shopRow?.primaryLocale ?? null };
      const language = sendLanguage(row, locales, (lang) => templateOf.get(key(row.shop, row.templateName, lang)));
      const template = templateOf.get(key(row.shop, row.templateName, language));
      return composeSnapshot(row, {
        language,
        shopRow,
        connection: connectionOf.get(row.shop) ?? null,
        subscriber,
        template: template ? { status: template.status, category: template.category } : null,
        flowPausedReason: pausedOf.get(key(row.shop, row.flow)) ?? null,
        flowState,
        marketingSentAt: subscriber && marketing ? shopFacts?.marketingSentAt.get(id) ?? [] : [],
        lastSentAt: subscriber ? shopFacts?.lastSentAt.get(id) ?? null : null,
        competitors:
          subscriber && marketing
            ? (shopFacts?.competitors.get(id) ?? [])
                .filter((c) => c.id !== row.id)
                .slice(0, 50)
            : [],
        tier,
      });
    },
    tierIncluded(shop) {
      return facts.get(shop)?.tier?.included ?? NONE;
    },
  };
}

/** Sends, live messages and tier usage of one shop's subscribers in the batch. */
async function loadShopFacts(shop: string, subscribers: string[], marketing: string[], tierLimited: boolean, now: Date): Promise<ShopFacts> {
  const facts: ShopFacts = { marketingSentAt: new Map(), lastSentAt: new Map(), competitors: new Map(), tier: null };
  if (subscribers.length === 0) return facts;
  const since24h = new Date(now.getTime() - DAY);
  const [sent, last, live, tier, included] = await Promise.all([
    marketing.length
      ? prisma.$queryRaw<Array<{ subscriberId: string; sentAt: Date }>>`
          SELECT "subscriberId", "sentAt" FROM "Notification"
           WHERE shop = ${shop} AND "subscriberId" = ANY(${marketing}::text[])
             AND "sentAt" > ${new Date(now.getTime() - 7 * DAY)}
             AND flow::text = ANY(${MARKETING_FLOWS}::text[])
           ORDER BY "sentAt"`
      : [],
    prisma.$queryRaw<Array<{ subscriberId: string; sentAt: Date }>>`
      SELECT "subscriberId", max("sentAt") AS "sentAt" FROM "Notification"
       WHERE shop = ${shop} AND "subscriberId" = ANY(${subscribers}::text[]) AND "sentAt" IS NOT NULL
       GROUP BY "subscriberId"`,
    marketing.length
      ? prisma.notification.findMany({
          where: { shop, subscriberId: { in: marketing }, status: { in: ["scheduled", "sending"] } },
          select: { id: true, flow: true, sendAt: true, status: true, subscriberId: true },
        })
      : [],
    tierLimited
      ? prisma.$queryRaw<Array<{ recipients: bigint | number; oldest: Date | null }>>`
          SELECT count(DISTINCT "subscriberId") AS recipients, min("sentAt") AS oldest
            FROM "Notification" WHERE shop = ${shop} AND "sentAt" > ${since24h}`
      : [],
    tierLimited
      ? prisma.$queryRaw<Array<{ subscriberId: string }>>`
          SELECT DISTINCT "subscriberId" FROM "Notification"
           WHERE shop = ${shop} AND "sentAt" > ${since24h} AND "subscriberId" = ANY(${subscribers}::text[])`
      : [],
  ]);
  for (const row of sent) push(facts.marketingSentAt, row.subscriberId, new Date(row.sentAt));
  for (const row of last) facts.lastSentAt.set(row.subscriberId, new Date(row.sentAt));
  for (const { subscriberId, ...competitor } of live) push(facts.competitors, subscriberId!, competitor);
  if (tierLimited) {
    facts.tier = {
      recipients: Number(tier[0]?.recipients ?? 0),
      oldestSentAt: tier[0]?.oldest ? new Date(tier[0].oldest) : null,
      included: new Set(included.map((r) => r.subscriberId)),
    };
  }
  return facts;
}
