import type { AdminApiContext } from "@shopify/shopify-app-remix/server";
import { z } from "zod";
import prisma from "../db.server";

/** Shop records: created on install from the Admin API, read by every shop-scoped module. */
export function getShop(shop: string) {
  return prisma.shop.findUnique({ where: { shop }, include: { settings: true } });
}

const SHOP_QUERY = `#graphql
  query ReboundShop {
    shop {
      name
      email
      currencyCode
      ianaTimezone
      billingAddress { countryCodeV2 }
    }
    shopLocales(published: true) { locale primary }
  }`;

const shopAnswer = z.object({
  data: z.object({
    shop: z.object({
      name: z.string(),
      email: z.string().nullable().optional(),
      currencyCode: z.string(),
      ianaTimezone: z.string(),
      billingAddress: z.object({ countryCodeV2: z.string().nullable() }).nullable().optional(),
    }),
    shopLocales: z.array(z.object({ locale: z.string(), primary: z.boolean() })).optional(),
  }),
});

/** Called after OAuth / token exchange: the shop is installed (again) and its details fresh. */
export async function recordInstall(shop: string, admin: Pick<AdminApiContext, "graphql">) {
  const response = await admin.graphql(SHOP_QUERY);
  const { data } = shopAnswer.parse(await response.json());
  const details = {
    name: data.shop.name,
    email: data.shop.email ?? null,
    currency: data.shop.currencyCode,
    timezone: data.shop.ianaTimezone,
    countryCode: data.shop.billingAddress?.countryCodeV2 ?? "US",
    primaryLocale: data.shopLocales?.find((l) => l.primary)?.locale ?? "en",
  };
  await prisma.shop.upsert({
    where: { shop },
    create: { shop, ...details, settings: { create: {} } },
    // installedAt: a late app/uninstalled triggered before this install is ignored (uninstall-delivery.server.ts).
    update: { ...details, status: "installed", installedAt: new Date(), uninstalledAt: null, sendingPausedReason: null, sendingPausedAt: null },
  });
  await prisma.shopSettings.upsert({ where: { shop }, create: { shop }, update: {} });
}

/**
 * app/uninstalled: the shop's tokens are dead. Remove its sessions and stop every send; the data
 * stays until shop/redact (48 h later), so a quick reinstall finds it.
 */
export async function recordUninstall(tx: typeof prisma | Parameters<Parameters<typeof prisma.$transaction>[0]>[0], shop: string, at: Date) {
  await tx.session.deleteMany({ where: { shop } });
  await tx.shop.updateMany({
    where: { shop },
    data: { status: "uninstalled", uninstalledAt: at, sendingPausedReason: "uninstalled", sendingPausedAt: at },
  });
  await tx.notification.updateMany({
    where: { shop, status: { in: ["scheduled", "sending"] } },
    data: { status: "cancelled", decision: "skip", decisionReason: "app_uninstalled" },
  });
}
