import prisma from "../db.server";
import { MERCHANT_FLOWS, type MerchantFlow } from "./flow-catalog";

/** Every flow with its state (off / on / paused and why) and what it did in the last 30 days. */
export interface FlowSummary {
  flow: MerchantFlow;
  enabled: boolean;
  pausedReason: string | null;
  holdoutPercent: number;
  sent: number;
  orders: number;
  revenue: string;
}

export async function listFlows(shop: string, now: Date): Promise<FlowSummary[]> {
  const since = new Date(now.getTime() - 30 * 86_400_000);
  const [settings, sends, money] = await Promise.all([
    prisma.flowSetting.findMany({ where: { shop } }),
    prisma.notification.groupBy({
      by: ["flow"],
      where: { shop, createdAt: { gte: since }, sentAt: { not: null } },
      _count: { _all: true },
    }),
    prisma.attribution.groupBy({
      by: ["flow"],
      where: { shop, attributedAt: { gte: since } },
      _count: { _all: true },
      _sum: { revenue: true },
    }),
  ]);
  return MERCHANT_FLOWS.map((flow) => {
    const setting = settings.find((s) => s.flow === flow);
    const sent = sends.find((s) => s.flow === flow)?._count._all ?? 0;
    const m = money.find((x) => x.flow === flow);
    return {
      flow,
      enabled: setting?.enabled ?? false,
      pausedReason: setting?.pausedReason ?? null,
      holdoutPercent: setting?.holdoutPercent ?? 0,
      sent,
      orders: m?._count._all ?? 0,
      revenue: m?._sum.revenue?.toFixed(2) ?? "0.00",
    };
  });
}
