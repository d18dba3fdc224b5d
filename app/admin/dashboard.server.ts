import { Prisma } from "@prisma/client";
import prisma from "../db.server";

/**
 * The home page's numbers for one shop over a trailing window: message funnel, money each flow
 * brought back, the lift over its control group, and subscriber growth. Set-based SQL, one
 * statement per figure, each filtered on `shop` first so the (shop, createdAt) indexes carry it.
 */
const DAY = 86_400_000;

export interface DailyPoint {
  day: string;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  revenue: string;
}

export interface FlowResult {
  flow: string;
  sent: number;
  orders: number;
  revenue: string;
  /** (conversion of messaged − conversion of held out) / conversion of held out; null without a control group */
  lift: number | null;
  holdoutSize: number;
}

export interface Dashboard {
  since: string;
  totals: { sent: number; delivered: number; read: number; clicked: number; orders: number; revenue: string };
  daily: DailyPoint[];
  flows: FlowResult[];
  subscribers: { current: number; added: number; removed: number; previousAdded: number };
}

interface FunnelRow { day: Date; sent: number; delivered: number; read: number; clicked: number }
interface RevenueRow { day: Date; orders: number; revenue: Prisma.Decimal | string }
interface FlowSendRow { flow: string; sent: number }
interface FlowMoneyRow { flow: string; orders: number; revenue: Prisma.Decimal | string }
interface GroupRow { flow: string; size: number; converted: number }

export async function loadDashboard(shop: string, now: Date, days = 30, attributionWindowDays = 5): Promise<Dashboard> {
  const since = new Date(Math.floor(now.getTime() / DAY) * DAY - (days - 1) * DAY);
  // A message sent in the window may have been planned a little before it (delays, quiet hours).
  const plannedSince = new Date(since.getTime() - 14 * DAY);

  const [funnel, money, flowSends, flowMoney, treated, holdout, subscribers] = await Promise.all([
    prisma.$queryRaw<FunnelRow[]>`
      SELECT date_trunc('day', "sentAt") AS day,
             count(*)::int AS sent, count("deliveredAt")::int AS delivered,
             count("readAt")::int AS read, count("clickedAt")::int AS clicked
        FROM "Notification"
       WHERE shop = ${shop} AND "createdAt" >= ${plannedSince} AND "sentAt" >= ${since}
       GROUP BY 1`,
    prisma.$queryRaw<RevenueRow[]>`
      SELECT date_trunc('day', "attributedAt") AS day, count(*)::int AS orders, coalesce(sum(revenue), 0) AS revenue
        FROM "Attribution"
       WHERE shop = ${shop} AND "attributedAt" >= ${since}
       GROUP BY 1`,
    prisma.$queryRaw<FlowSendRow[]>`
      SELECT flow::text AS flow, count(*)::int AS sent
        FROM "Notification"
       WHERE shop = ${shop} AND "createdAt" >= ${plannedSince} AND "sentAt" >= ${since}
       GROUP BY 1`,
    prisma.$queryRaw<FlowMoneyRow[]>`
      SELECT flow::text AS flow, count(*)::int AS orders, coalesce(sum(revenue), 0) AS revenue
        FROM "Attribution"
       WHERE shop = ${shop} AND "attributedAt" >= ${since}
       GROUP BY 1`,
    // Both groups are judged the same way, "placed any order within the attribution window",
    // so the difference is what the message caused rather than how attribution is counted.
    prisma.$queryRaw<GroupRow[]>`
      SELECT n.flow::text AS flow, count(*)::int AS size,
             count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM "Order" o
                WHERE o.shop = n.shop AND o."subscriberId" = n."subscriberId"
                  AND o."placedAt" > n."sentAt"
                  AND o."placedAt" <= n."sentAt" + make_interval(days => ${attributionWindowDays}::int)))::int AS converted
        FROM "Notification" n
       WHERE n.shop = ${shop} AND n."createdAt" >= ${plannedSince} AND n."sentAt" >= ${since}
         AND n."subscriberId" IS NOT NULL
       GROUP BY 1`,
    prisma.$queryRaw<GroupRow[]>`
      SELECT h.flow::text AS flow, count(*)::int AS size,
             count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM "Order" o
                WHERE o.shop = h.shop AND o."subscriberId" = h."subscriberId"
                  AND o."placedAt" > h."assignedAt"
                  AND o."placedAt" <= h."assignedAt" + make_interval(days => ${attributionWindowDays}::int)))::int AS converted
        FROM "HoldoutAssignment" h
       WHERE h.shop = ${shop} AND h."assignedAt" >= ${since} AND h."subscriberId" IS NOT NULL
       GROUP BY 1`,
    subscriberGrowth(shop, since, days),
  ]);

  const daily = buildDays(since, days, funnel, money);
  const flows = new Map<string, FlowResult>();
  const row = (flow: string) => {
    let r = flows.get(flow);
    if (!r) flows.set(flow, (r = { flow, sent: 0, orders: 0, revenue: "0", lift: null, holdoutSize: 0 }));
    return r;
  };
  for (const s of flowSends) row(s.flow).sent = s.sent;
  for (const m of flowMoney) Object.assign(row(m.flow), { orders: m.orders, revenue: String(m.revenue) });
  for (const h of holdout) {
    const r = row(h.flow);
    r.holdoutSize = h.size;
    const t = treated.find((x) => x.flow === h.flow);
    r.lift = liftOf(t, h);
  }

  const totals = daily.reduce(
    (acc, d) => ({
      sent: acc.sent + d.sent,
      delivered: acc.delivered + d.delivered,
      read: acc.read + d.read,
      clicked: acc.clicked + d.clicked,
      orders: acc.orders,
      revenue: acc.revenue,
    }),
    { sent: 0, delivered: 0, read: 0, clicked: 0, orders: 0, revenue: "0" },
  );
  totals.orders = money.reduce((n, m) => n + m.orders, 0);
  totals.revenue = money.reduce((sum, m) => sum.add(new Prisma.Decimal(String(m.revenue))), new Prisma.Decimal(0)).toFixed(2);

  return { since: since.toISOString(), totals, daily, flows: [...flows.values()], subscribers };
}

/** Relative lift; undefined when either group is empty or the control group never bought. */
export function liftOf(treated: { size: number; converted: number } | undefined, holdout: { size: number; converted: number }): number | null {
  if (!treated || treated.size === 0 || holdout.size === 0) return null;
  const control = holdout.converted / holdout.size;
  if (control === 0) return null;
  return (treated.converted / treated.size - control) / control;
}

function buildDays(since: Date, days: number, funnel: FunnelRow[], money: RevenueRow[]): DailyPoint[] {
  const key = (d: Date) => new Date(d).toISOString().slice(0, 10);
  const funnelByDay = new Map(funnel.map((f) => [key(f.day), f]));
  const moneyByDay = new Map(money.map((m) => [key(m.day), m]));
  return Array.from({ length: days }, (_, i) => {
    const day = key(new Date(since.getTime() + i * DAY));
    const f = funnelByDay.get(day);
    const m = moneyByDay.get(day);
    return {
      day,
      sent: f?.sent ?? 0,
      delivered: f?.delivered ?? 0,
      read: f?.read ?? 0,
      clicked: f?.clicked ?? 0,
      revenue: m ? new Prisma.Decimal(String(m.revenue)).toFixed(2) : "0.00",
    };
  });
}

async function subscriberGrowth(shop: string, since: Date, days: number) {
  const before = new Date(since.getTime() - days * DAY);
  const [current, added, previousAdded, removed] = await Promise.all([
    prisma.subscriber.count({ where: { shop, status: "subscribed" } }),
    prisma.consentEvent.count({ where: { shop, kind: { in: ["opt_in", "re_opt_in"] }, occurredAt: { gte: since } } }),
    prisma.consentEvent.count({ where: { shop, kind: { in: ["opt_in", "re_opt_in"] }, occurredAt: { gte: before, lt: since } } }),
    prisma.consentEvent.count({ where: { shop, kind: "opt_out", occurredAt: { gte: since } } }),
  ]);
  return { current, added, removed, previousAdded };
}
