import prisma from "../db.server";
import { loadDashboard } from "./dashboard.server";
import { loadOnboarding } from "./onboarding.server";

/** Everything the home page shows: the set-up checklist and the last 30 days. */
export async function loadHome(shop: string, apiKey: string, now: Date) {
  const row = await prisma.shop.findUnique({ where: { shop }, include: { settings: true } });
  const [onboarding, dashboard] = await Promise.all([
    loadOnboarding(shop, apiKey),
    loadDashboard(shop, now, 30, row?.settings?.attributionWindowDays ?? 5),
  ]);
  return {
    shopName: row?.name ?? shop,
    currency: row?.currency ?? "USD",
    onboarding,
    dashboard,
  };
}
