import prisma from "../db.server";
import { loadDashboard } from "./dashboard.server";
import { loadOnboarding } from "./onboarding.server";

/** Everything the home page shows: the set-up checklist and the last 30 days. */
export async function loadHome(shop: string, apiKey: string, now: Date) {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { name: true, currency: true, timezone: true } });
  const [onboarding, dashboard] = await Promise.all([
    loadOnboarding(shop, apiKey),
    loadDashboard(shop, now, row?.timezone ?? "UTC"),
  ]);
  return { shopName: row?.name ?? shop, currency: row?.currency ?? "USD", onboarding, dashboard };
}
