import { Prisma } from "@prisma/client";
import prisma, { allowLongStatements } from "../db.server";
import { fanOutNotifications } from "../outbox/fan-out.server";
import { enqueueTask } from "../tasks/queue.server";
import { loadFlowSetting } from "./flow-settings.server";
import { DAY, storefront, withUtm } from "./plan";
import { monthStart, promotionParams, readAudience, type CampaignAudience } from "./promotion";

/** Calling codes never reached (blocked, or closed to marketing) and the shop's allow list (empty = all). */
interface Countries {
  blocked: string[];
  allowed: string[];
  /**
   * Regions closed to marketing by Meta (US), matched on the number's region, not its calling
   * code. A +1 number whose region was never recorded counts as US here (the gate reads it from
   * the number), so the estimate never promises a send the gate will skip.
   */
  blockedRegions: string[];
}

/**
 * The audience as SQL over Subscriber, shared by the estimate and the launch so the number the
 * merchant saw is the number that gets scheduled (less whoever hit the monthly cap meanwhile).
 */
function audienceSql(shop: string, audience: CampaignAudience, countries: Countries, now: Date, cap: { since: Date; perMonth: number }) {
  const { blocked, allowed } = countries;
  const since = audience.lastOrderWithinDays !== undefined ? new Date(now.getTime() - audience.lastOrderWithinDays * DAY) : null;
  const only = audience.countries.filter((c) => !blocked.includes(c));
  return Prisma.sql`
    SELECT s.id FROM "Subscriber" s
     WHERE s.shop = ${shop} AND s.status = 'subscribed' AND s.scope = 'marketing'
       AND s."acceptsOffers" AND s."marketingStoppedAt" IS NULL
       AND NOT (s."callingCode" = ANY(${blocked}::text[]))
       AND NOT (coalesce(s."countryCode", CASE WHEN s."callingCode" = '1' THEN 'US' END, '') = ANY(${countries.blockedRegions}::text[]))
       ${allowed.length ? Prisma.sql`AND s."callingCode" = ANY(${allowed}::text[])` : Prisma.empty}
       ${audience.countries.length ? Prisma.sql`AND s."callingCode" = ANY(${only}::text[])` : Prisma.empty}
       ${since ? Prisma.sql`AND s."lastOrderAt" >= ${since}` : Prisma.empty}
       ${audience.minSpent !== undefined ? Prisma.sql`AND s."totalSpent" >= ${new Prisma.Decimal(audience.minSpent)}` : Prisma.empty}
       ${audience.productId
         ? Prisma.sql`AND EXISTS (
             SELECT 1 FROM "Order" o JOIN "OrderLineItem" li ON li.shop = o.shop AND li."orderId" = o.id
              WHERE o.shop = s.shop AND li."productId" = ${audience.productId} AND o."cancelledAt" IS NULL
                AND (o."subscriberId" = s.id OR (s."customerId" IS NOT NULL AND o."customerId" = s."customerId")))`
         : Prisma.empty}
       AND (SELECT count(*) FROM "Notification" n
             WHERE n.shop = s.shop AND n."subscriberId" = s.id AND n.flow = 'promotion'
               AND n."sendAt" >= ${cap.since}
               AND n.status NOT IN ('cancelled', 'skipped', 'failed', 'held_out')) < ${cap.perMonth}`;
}

async function shopRules(shop: string, now: Date) {
  const [settings, shopRow] = await Promise.all([
    prisma.shopSettings.findUnique({ where: { shop } }),
    prisma.shop.findUnique({ where: { shop }, select: { timezone: true } }),
  ]);
  return {
    countries: {
      blocked: [...(settings?.blockedMarketingCallingCodes ?? []), ...(settings?.blockedCallingCodes ?? [])],
      blockedRegions: (settings?.blockUsMarketing ?? true) ? ["US"] : [],
      // The gate skips anyone outside the shop's allow list; counting them would promise sends
      // that never happen.
      allowed: settings?.allowedCallingCodes ?? [],
    },
    cap: { since: monthStart(now, shopRow?.timezone ?? "UTC"), perMonth: settings?.campaignsPerMonth ?? 4 },
  };
}

/** How many subscribers a campaign with this audience would reach now. */
export async function estimateAudience(shop: string, audience: CampaignAudience, now: Date): Promise<number> {
  const rules = await shopRules(shop, now);
  const rows = await prisma.$queryRaw<Array<{ n: number }>>`
    SELECT count(*)::int AS n FROM (${audienceSql(shop, audience, rules.countries, now, rules.cap)}) a`;
  return rows[0]?.n ?? 0;
}

export type LaunchOutcome =
  | { launched: true; scheduled: number; heldOut: number }
  | { launched: false; reason: "not_found" | "not_launchable" | "invalid_audience" };

/**
 * Schedules a campaign's messages through the outbox's fan-out, one INSERT ... SELECT (with their
 * tracked links and the control group), after moving the campaign to "sending" so two launches
 * cannot both run.
 */
export async function launchCampaign(shop: string, campaignId: string, now: Date): Promise<LaunchOutcome> {
  const campaign = await prisma.campaign.findFirst({ where: { shop, id: campaignId } });
  if (!campaign) return { launched: false, reason: "not_found" };
  const audience = readAudience(campaign.audience);
  if (!audience.ok) return { launched: false, reason: "invalid_audience" };
  const rules = await shopRules(shop, now);
  const setting = await loadFlowSetting(shop, "promotion");
  const params = (campaign.params ?? {}) as { body?: unknown; link?: unknown };
  // Every row's parameters but the link, which is the row's own id: set into the button below.
  const rowParams = promotionParams(Array.isArray(params.body) ? params.body.map(String) : [], "");
  const linkPath = `{buttons,${rowParams.buttons!.findIndex((b) => b.type === "url")},suffix}`;
  const destination = withUtm(typeof params.link === "string" && /^https:\/\//.test(params.link) ? params.link : storefront(shop), "promotion", campaignId);
  const holdout = setting.holdoutPercent;
  const expiresAt = new Date(now.getTime() + 2 * DAY);

  return prisma.$transaction(
    async (tx) => {
      const claimed = await tx.campaign.updateMany({
        where: { shop, id: campaignId, status: { in: ["draft", "scheduled"] } },
        data: { status: "sending", startedAt: now },
      });
      if (claimed.count === 0) return { launched: false as const, reason: "not_launchable" as const };
      await allowLongStatements(tx);
      await tx.$executeRawUnsafe("SET LOCAL enable_nestloop = off");
      const { scheduled, heldOut } = await fanOutNotifications(
        {
          shop,
          flow: "promotion",
          recipients: Prisma.sql`
            audience AS (${audienceSql(shop, audience.audience, rules.countries, now, rules.cap)}),
            keyed AS (
              SELECT a.id AS subscriber_id, 'promotion:' || ${campaignId} || ':' || a.id AS dedup_key,
                     replace(gen_random_uuid()::text, '-', '') AS id,
                     ${holdout}::int > 0
                       AND (('x' || substr(md5(${shop} || ':promotion:' || a.id), 1, 8))::bit(32)::bigint % 100) < ${holdout}::int AS held_out
                FROM audience a
            )`,
          // The row's id is also its link token, made up front with its TrackedLink row.
          params: Prisma.sql`jsonb_set(${JSON.stringify(rowParams)}::jsonb, ${linkPath}::text[], to_jsonb(id))`,
          sendAt: now,
          expiresAt,
          templateName: campaign.templateName,
          templateLanguage: campaign.templateLanguage,
          campaignId,
          skipExisting: true,
          alongside: Prisma.sql`
            links AS (
              INSERT INTO "TrackedLink" (token, shop, "notificationId", destination, "createdAt")
              SELECT id, ${shop}, id, ${destination}, ${now} FROM inserted
              ON CONFLICT (token) DO NOTHING
            )`,
          now,
        },
        tx,
      );
      await enqueueTask(
        { shop, kind: CAMPAIGN_SETTLE_TASK, payload: { campaignId }, dedupKey: `campaign-settle:${campaignId}:${now.getTime()}`, runAt: now },
        tx,
      );
      return { launched: true as const, scheduled, heldOut };
    },
    { timeout: 60_000 },
  );
}

export const CAMPAIGN_SETTLE_TASK = "campaigns.settle";
const SETTLE_EVERY_MS = 60_000;

/**
 * Marks a sending campaign sent once none of its messages waits any more; until then looks
 * again a minute later (a Task, so it survives restarts and runs in any worker).
 */
export async function settleCampaign(shop: string, campaignId: string, now: Date): Promise<"sent" | "waiting" | "not_sending"> {
  const campaign = await prisma.campaign.findFirst({ where: { shop, id: campaignId }, select: { status: true } });
  if (campaign?.status !== "sending") return "not_sending";
  const waiting = await prisma.notification.count({ where: { shop, campaignId, status: { in: ["scheduled", "sending"] } } });
  if (waiting === 0) {
    await prisma.campaign.updateMany({ where: { shop, id: campaignId, status: "sending" }, data: { status: "sent", finishedAt: now } });
    return "sent";
  }
  const next = new Date(now.getTime() + SETTLE_EVERY_MS);
  await enqueueTask({ shop, kind: CAMPAIGN_SETTLE_TASK, payload: { campaignId }, dedupKey: `campaign-settle:${campaignId}:${next.getTime()}`, runAt: next });
  return "waiting";
}

export interface CampaignProgress {
  total: number;
  byStatus: Record<string, number>;
  clicked: number;
  orders: number;
  revenue: string;
  /** Nothing left waiting to be sent */
  done: boolean;
}

/** The campaign's notifications counted by status, with clicks and attributed revenue. */
export async function campaignProgress(shop: string, campaignId: string): Promise<CampaignProgress> {
  const [groups, clicked, money] = await Promise.all([
    prisma.notification.groupBy({ by: ["status"], where: { shop, campaignId }, _count: { _all: true } }),
    prisma.notification.count({ where: { shop, campaignId, clickedAt: { not: null } } }),
    prisma.attribution.aggregate({ where: { shop, campaignId }, _count: { _all: true }, _sum: { revenue: true } }),
  ]);
  const byStatus = Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
  const total = groups.reduce((n, g) => n + g._count._all, 0);
  return {
    total,
    byStatus,
    clicked,
    orders: money._count._all,
    revenue: money._sum.revenue?.toFixed(2) ?? "0.00",
    done: (byStatus.scheduled ?? 0) + (byStatus.sending ?? 0) === 0,
  };
}
