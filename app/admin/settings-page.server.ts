import prisma from "../db.server";
import { loadConnection } from "./whatsapp-connection.server";
import { loadShopSettings } from "./shop-settings.server";

/** The settings page's data: sending rules, the connection (without secrets), test templates. */
export async function loadSettingsPage(shop: string) {
  const [settings, connection, shopRow, templates] = await Promise.all([
    loadShopSettings(shop),
    loadConnection(shop),
    prisma.shop.findUnique({ where: { shop }, select: { timezone: true } }),
    prisma.messageTemplate.findMany({
      where: { shop, status: "APPROVED" },
      orderBy: [{ name: "asc" }, { language: "asc" }],
      select: { name: true, language: true, category: true },
    }),
  ]);
  return { settings, connection, timezone: shopRow?.timezone ?? "UTC", templates };
}
