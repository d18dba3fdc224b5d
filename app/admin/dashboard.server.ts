import prisma from "../db.server";
import { dailySeries, holdoutLift, resultsByFlow } from "../flows/results.server";
import { MERCHANT_FLOWS } from "./flow-catalog";

/**
 * The home page's numbers for one shop over a trailing window: the message funnel and money per
 * flow, each flow's lift over its control group (from the flows module's result queries,
 * app/flows/results.server.ts), a daily series for the charts, and subscriber growth.
 */
const DAY = 86_400_000;

export interface FlowResult {
  flow: string;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  orders: number;
  revenue: string;
  /** Relative lift over the control group; null without one (or when it never bought) */
  lift: number | null;
  controlShoppers: number;
}

export async function loadDashboard(shop: string, now: Date, timeZone: string, days = 30) {
  const range = { from: new Date(now.getTime() - days * DAY), to: now };
  const [byFlow, daily, lifts, subscribers] = await Promise.all([
    resultsByFlow(shop, range),
    dailySeries(shop, range, timeZone),
    Promise.all(MERCHANT_FLOWS.map(async (flow) => [flow, await holdoutLift(shop, flow, range)] as const)),
    subscriberGrowth(shop, range.from, days),
  ]);
  const flows: FlowResult[] = byFlow.map((row) => {
    const lift = lifts.find(([flow]) => flow === row.key)?.[1];
    return {
      flow: row.key,
      sent: row.sent,
      delivered: row.delivered,
      read: row.read,
      clicked: row.clicked,
      orders: row.orders,
      revenue: row.revenue,
      lift: lift?.lift ?? null,
      controlShoppers: lift?.control.shoppers ?? 0,
    };
  });
  const sum = (key: "sent" | "delivered" | "read" | "clicked" | "orders") => flows.reduce((n, f) => n + f[key], 0);
  // Revenue is summed in cents so many decimal strings add up exactly.
  const cents = flows.reduce((n, f) => n + Math.round(Number(f.revenue) * 100), 0);
  return {
    since: range.from.toISOString(),
    totals: { sent: sum("sent"), delivered: sum("delivered"), read: sum("read"), clicked: sum("clicked"), orders: sum("orders"), revenue: (cents / 100).toFixed(2) },
    daily,
    flows,
    subscribers,
  };
}

async function subscriberGrowth(shop: string, since: Date, days: number) {
  const before = new Date(since.getTime() - days * DAY);
  const joined = { in: ["opt_in", "re_opt_in"] as Array<"opt_in" | "re_opt_in"> };
  const [current, added, previousAdded, removed] = await Promise.all([
    prisma.subscriber.count({ where: { shop, status: "subscribed" } }),
    prisma.consentEvent.count({ where: { shop, kind: joined, occurredAt: { gte: since } } }),
    prisma.consentEvent.count({ where: { shop, kind: joined, occurredAt: { gte: before, lt: since } } }),
    prisma.consentEvent.count({ where: { shop, kind: "opt_out", occurredAt: { gte: since } } }),
  ]);
  return { current, added, removed, previousAdded };
}
