import prisma from "../db.server";
import { resultsByFlow } from "../flows/results.server";
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
  const range = { from: new Date(now.getTime() - 30 * 86_400_000), to: now };
  const [settings, results] = await Promise.all([prisma.flowSetting.findMany({ where: { shop } }), resultsByFlow(shop, range)]);
  return MERCHANT_FLOWS.map((flow) => {
    const setting = settings.find((s) => s.flow === flow);
    const result = results.find((r) => r.key === flow);
    return {
      flow,
      enabled: setting?.enabled ?? false,
      pausedReason: setting?.pausedReason ?? null,
      holdoutPercent: setting?.holdoutPercent ?? 0,
      sent: result?.sent ?? 0,
      orders: result?.orders ?? 0,
      revenue: result?.revenue ?? "0.00",
    };
  });
}
