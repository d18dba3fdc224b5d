import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { recordInstall } from "../../../app/shops/shop.server";

const database = useTestDatabase();

// The shape of Shopify's answer to the shop query (Admin GraphQL `shop`, `shopLocales`).
const admin = {
  graphql: async () =>
    Response.json({
      data: {
        shop: { name: "Tea Shop", email: "owner@example.com", currencyCode: "EUR", ianaTimezone: "Europe/Madrid", billingAddress: { countryCodeV2: "ES" } },
        shopLocales: [{ locale: "es", primary: true }],
      },
    }),
};


describe("recordInstall", () => {
  it("stamps every install, a reinstall too, so a late app/uninstalled from before it can be told apart", async () => {
    const { prisma } = database;
    const shop = "reinstall.myshopify.com";
    const longAgo = new Date("2026-01-01T00:00:00Z");
    await prisma.shop.create({ data: { shop, status: "uninstalled", installedAt: longAgo, uninstalledAt: new Date("2026-11-30T00:00:00Z") } });
    const before = Date.now();
    await recordInstall(shop, admin as never);
    const row = await prisma.shop.findUniqueOrThrow({ where: { shop } });
    expect(row.status).toBe("installed");
    expect(row.installedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });
});
