import prisma from "../db.server";
import { listDataRequests } from "../privacy/data-request.server";
import { loadRetentionStatus } from "../privacy/retention.server";
import { loadConnection } from "./whatsapp-connection.server";
import { loadShopSettings } from "./shop-settings.server";
import { signupConfigFromEnv } from "../whatsapp/signup-graph.server";

/**
 * The settings page's data: sending rules, the connection (without secrets), test templates,
 * when retention last ran, and the shop's data requests (who and when; the reports download apart).
 */
export async function loadSettingsPage(shop: string) {
  const [settings, connection, shopRow, templates, retention, dataRequests] = await Promise.all([
    loadShopSettings(shop),
    loadConnection(shop),
    prisma.shop.findUnique({ where: { shop }, select: { timezone: true } }),
    prisma.messageTemplate.findMany({
      where: { shop, status: "APPROVED" },
      orderBy: [{ name: "asc" }, { language: "asc" }],
      select: { name: true, language: true, category: true },
    }),
    loadRetentionStatus(shop),
    listDataRequests(shop),
  ]);
  return {
    settings,
    connection,
    /** Embedded Signup's public settings, or null (then only the manual form) */
    signup: signupConfigFromEnv(),
    timezone: shopRow?.timezone ?? "UTC",
    templates,
    retention,
    dataRequests: dataRequests.map((r) => ({ id: r.id, requestedAt: r.requestedAt.toISOString(), email: r.email, customerId: r.customerId })),
  };
}
