import prisma from "../db.server";
import { resultsByStep } from "../flows/results.server";

const DAY = 86_400_000;

export interface StepResult {
  step: number;
  sent: number;
  clicked: number;
  orders: number;
  revenue: string;
}

/**
 * The abandoned cart's results per reminder over the last 30 days, so the merchant sees which
 * reminder earns. Every configured reminder has a row, zeros included, and so does any reminder
 * that still has results after being removed.
 */
export async function loadStepResults(shop: string, configuredSteps: number, now: Date) {
  const range = { from: new Date(now.getTime() - 30 * DAY), to: now };
  const [rows, shopRow] = await Promise.all([
    resultsByStep(shop, "abandoned_cart", range),
    prisma.shop.findUnique({ where: { shop }, select: { currency: true } }),
  ]);
  const byStep = new Map(rows.filter((r) => r.step >= 1).map((r) => [r.step, r]));
  const last = Math.max(configuredSteps, ...byStep.keys());
  const steps: StepResult[] = Array.from({ length: last }, (_, i) => {
    const r = byStep.get(i + 1);
    return { step: i + 1, sent: r?.sent ?? 0, clicked: r?.clicked ?? 0, orders: r?.orders ?? 0, revenue: r?.revenue ?? "0.00" };
  });
  return { currency: shopRow?.currency ?? "USD", steps };
}
