import type { Flow } from "@prisma/client";
import prisma from "../db.server";

/**
 * What the flows earned, for the dashboard. Messages count by when they were sent, orders by
 * when they were placed (Attribution.attributedAt), both within [from, to). Revenue is summed
 * as the database's DECIMAL and returned as a two-decimal string.
 */
export interface Range {
  from: Date;
  to: Date;
}

export interface FunnelRow {
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  orders: number;
  revenue: string;
}

const SENT = `n.status IN ('sent', 'delivered', 'read')`;

type RawFunnel = { key: string; sent: number; delivered: number; read: number; clicked: number };
type RawMoney = { key: string; orders: number; revenue: string | null };

function merge<K extends string>(funnel: RawFunnel[], money: RawMoney[]): Array<{ key: K } & FunnelRow> {
  const keys = new Set([...funnel.map((f) => f.key), ...money.map((m) => m.key)]);
  return [...keys].sort().map((key) => {
    const f = funnel.find((r) => r.key === key);
    const m = money.find((r) => r.key === key);
    return {
      key: key as K,
      sent: f?.sent ?? 0,
      delivered: f?.delivered ?? 0,
      read: f?.read ?? 0,
      clicked: f?.clicked ?? 0,
      orders: m?.orders ?? 0,
      revenue: Number(m?.revenue ?? 0).toFixed(2),
    };
  });
}

/** Sent, delivered, read, clicked, attributed orders and revenue per flow. */
export async function resultsByFlow(shop: string, range: Range) {
  const funnel = await prisma.$queryRawUnsafe<RawFunnel[]>(
    `SELECT n.flow::text AS key,
            count(*) FILTER (WHERE ${SENT})::int AS sent,
            count(*) FILTER (WHERE n."deliveredAt" IS NOT NULL OR n.status = 'read')::int AS delivered,
            count(*) FILTER (WHERE n."readAt" IS NOT NULL OR n.status = 'read')::int AS read,
            count(*) FILTER (WHERE n."clickedAt" IS NOT NULL)::int AS clicked
       FROM "Notification" n
      WHERE n.shop = $1 AND n."sentAt" >= $2 AND n."sentAt" < $3
      GROUP BY n.flow`,
    shop, range.from, range.to,
  );
  const money = await prisma.$queryRaw<RawMoney[]>`
    SELECT flow::text AS key, count(*)::int AS orders, sum(revenue)::text AS revenue
      FROM "Attribution" WHERE shop = ${shop} AND "attributedAt" >= ${range.from} AND "attributedAt" < ${range.to}
     GROUP BY flow`;
  return merge<Flow>(funnel, money);
}

/** The same funnel per step of one flow (abandoned cart's reminders 1, 2, 3). */
export async function resultsByStep(shop: string, flow: Flow, range: Range) {
  const funnel = await prisma.$queryRawUnsafe<RawFunnel[]>(
    `SELECT n.step::text AS key,
            count(*) FILTER (WHERE ${SENT})::int AS sent,
            count(*) FILTER (WHERE n."deliveredAt" IS NOT NULL OR n.status = 'read')::int AS delivered,
            count(*) FILTER (WHERE n."readAt" IS NOT NULL OR n.status = 'read')::int AS read,
            count(*) FILTER (WHERE n."clickedAt" IS NOT NULL)::int AS clicked
       FROM "Notification" n
      WHERE n.shop = $1 AND n.flow = $2::"Flow" AND n."sentAt" >= $3 AND n."sentAt" < $4
      GROUP BY n.step`,
    shop, flow, range.from, range.to,
  );
  const money = await prisma.$queryRaw<RawMoney[]>`
    SELECT step::text AS key, count(*)::int AS orders, sum(revenue)::text AS revenue
      FROM "Attribution"
     WHERE shop = ${shop} AND flow = ${flow}::"Flow" AND "attributedAt" >= ${range.from} AND "attributedAt" < ${range.to}
     GROUP BY step`;
  return merge<string>(funnel, money).map(({ key, ...row }) => ({ step: Number(key), ...row }));
}

/** The funnel per campaign. */
export async function resultsByCampaign(shop: string, range: Range) {
  const funnel = await prisma.$queryRawUnsafe<RawFunnel[]>(
    `SELECT n."campaignId" AS key,
            count(*) FILTER (WHERE ${SENT})::int AS sent,
            count(*) FILTER (WHERE n."deliveredAt" IS NOT NULL OR n.status = 'read')::int AS delivered,
            count(*) FILTER (WHERE n."readAt" IS NOT NULL OR n.status = 'read')::int AS read,
            count(*) FILTER (WHERE n."clickedAt" IS NOT NULL)::int AS clicked
       FROM "Notification" n
      WHERE n.shop = $1 AND n."campaignId" IS NOT NULL AND n."sentAt" >= $2 AND n."sentAt" < $3
      GROUP BY n."campaignId"`,
    shop, range.from, range.to,
  );
  const money = await prisma.$queryRaw<RawMoney[]>`
    SELECT "campaignId" AS key, count(*)::int AS orders, sum(revenue)::text AS revenue
      FROM "Attribution"
     WHERE shop = ${shop} AND "campaignId" IS NOT NULL AND "attributedAt" >= ${range.from} AND "attributedAt" < ${range.to}
     GROUP BY "campaignId"`;
  return merge<string>(funnel, money).map(({ key, ...row }) => ({ campaignId: key, ...row }));
}

/**
 * Daily sent, clicked, orders and revenue for the chart, days in the shop's time zone, every day
 * of the range present (zeros included) so the chart's axis is continuous.
 */
export async function dailySeries(shop: string, range: Range, timeZone = "UTC") {
  const rows = await prisma.$queryRaw<Array<{ day: string; sent: number; clicked: number; orders: number; revenue: string | null }>>`
    WITH days AS (
      SELECT generate_series(
               date_trunc('day', (${range.from}::timestamptz AT TIME ZONE ${timeZone})),
               date_trunc('day', ((${range.to}::timestamptz - interval '1 millisecond') AT TIME ZONE ${timeZone})),
               interval '1 day') AS day
    ), sent AS (
      SELECT date_trunc('day', ("sentAt" AT TIME ZONE 'UTC') AT TIME ZONE ${timeZone}) AS day, count(*)::int AS n
        FROM "Notification"
       WHERE shop = ${shop} AND "sentAt" >= ${range.from} AND "sentAt" < ${range.to} AND status IN ('sent', 'delivered', 'read')
       GROUP BY 1
    ), clicked AS (
      SELECT date_trunc('day', ("clickedAt" AT TIME ZONE 'UTC') AT TIME ZONE ${timeZone}) AS day, count(*)::int AS n
        FROM "Notification"
       WHERE shop = ${shop} AND "clickedAt" >= ${range.from} AND "clickedAt" < ${range.to}
       GROUP BY 1
    ), money AS (
      SELECT date_trunc('day', ("attributedAt" AT TIME ZONE 'UTC') AT TIME ZONE ${timeZone}) AS day,
             count(*)::int AS orders, sum(revenue) AS revenue
        FROM "Attribution"
       WHERE shop = ${shop} AND "attributedAt" >= ${range.from} AND "attributedAt" < ${range.to}
       GROUP BY 1
    )
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day, COALESCE(s.n, 0) AS sent, COALESCE(c.n, 0) AS clicked,
           COALESCE(m.orders, 0) AS orders, COALESCE(m.revenue, 0)::text AS revenue
      FROM days d
      LEFT JOIN sent s ON s.day = d.day
      LEFT JOIN clicked c ON c.day = d.day
      LEFT JOIN money m ON m.day = d.day
     ORDER BY d.day`;
  return rows.map((r) => ({ ...r, revenue: Number(r.revenue ?? 0).toFixed(2) }));
}

export interface Lift {
  treated: { shoppers: number; converted: number; rate: number };
  control: { shoppers: number; converted: number; rate: number };
  /** (treated rate - control rate) / control rate; null without a control group or conversions */
  lift: number | null;
}

/**
 * Conversion of shoppers who got the flow's messages against its control group: a shopper
 * converts by placing any order within the attribution window after the message's planned
 * time, whether or not they clicked. This is what the flow causes, beyond last-click credit.
 */
export async function holdoutLift(shop: string, flow: Flow, range: Range): Promise<Lift> {
  const settings = await prisma.shopSettings.findUnique({ where: { shop }, select: { attributionWindowDays: true } });
  const windowDays = settings?.attributionWindowDays ?? 5;
  const rows = await prisma.$queryRaw<Array<{ arm: string; shoppers: number; converted: number }>>`
    WITH exposed AS (
      SELECT n."subscriberId", CASE WHEN n.status = 'held_out' THEN 'control' ELSE 'treated' END AS arm, min(n."sendAt") AS at
        FROM "Notification" n
       WHERE n.shop = ${shop} AND n.flow = ${flow}::"Flow" AND n."subscriberId" IS NOT NULL
         AND n."sendAt" >= ${range.from} AND n."sendAt" < ${range.to}
         AND n.status IN ('held_out', 'sent', 'delivered', 'read')
       GROUP BY 1, 2
    )
    SELECT e.arm, count(*)::int AS shoppers,
           count(*) FILTER (WHERE EXISTS (
             SELECT 1 FROM "Order" o
               LEFT JOIN "Subscriber" s ON s.shop = o.shop AND s.id = e."subscriberId"
              WHERE o.shop = ${shop} AND o."cancelledAt" IS NULL
                AND o."placedAt" >= e.at AND o."placedAt" < e.at + make_interval(days => ${windowDays}::int)
                AND (o."subscriberId" = e."subscriberId" OR (s."customerId" IS NOT NULL AND o."customerId" = s."customerId")
                     OR (o.phone IS NOT NULL AND o.phone = s.phone))))::int AS converted
      FROM exposed e GROUP BY e.arm`;
  const arm = (name: string) => {
    const r = rows.find((x) => x.arm === name);
    const shoppers = r?.shoppers ?? 0;
    const converted = r?.converted ?? 0;
    return { shoppers, converted, rate: shoppers ? converted / shoppers : 0 };
  };
  const treated = arm("treated");
  const control = arm("control");
  return { treated, control, lift: control.shoppers && control.rate > 0 ? (treated.rate - control.rate) / control.rate : null };
}
