import prisma from "../db.server";
import { loadDashboard } from "./dashboard.server";
import { loadOnboarding } from "./onboarding.server";
import { loadInstallProgress } from "../shops/install-completion.server";

/** Everything the home page shows: an unfinished install, the set-up checklist and the last 30 days. */
export async function loadHome(shop: string, apiKey: string, now: Date) {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { name: true, currency: true, timezone: true } });
  const [onboarding, dashboard, installProgress] = await Promise.all([
    loadOnboarding(shop, apiKey),
    loadDashboard(shop, now, row?.timezone ?? "UTC"),
    loadInstallProgress(shop),
  ]);
  return { shopName: row?.name ?? shop, currency: row?.currency ?? "USD", onboarding, dashboard, installProgress };
}
