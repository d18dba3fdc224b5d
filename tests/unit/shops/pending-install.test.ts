import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import * as shops from "../../../app/shops/shop.server";
import * as completion from "../../../app/shops/install-completion.server";

/** The retrying task never undoes an uninstall or a later install that committed before it. */
const db = useTestDatabase();
// Nothing is pending, so the Admin API must not be opened.
const noAdmin = async () => {
  throw new Error("the Admin API was opened with nothing pending");
};

const DETAILS = { name: "Late Shop", email: null, currency: "EUR", timezone: "Europe/Rome", countryCode: "IT", primaryLocale: "it" };

describe("a pending install", () => {
  it("is recorded with defaults and the reason; finishing it fills the details and clears the reason", async () => {
    await shops.markInstallPending("a.myshopify.com", "Shopify answered HTTP 503");
    expect(await db.prisma.shop.findUniqueOrThrow({ where: { shop: "a.myshopify.com" } })).toMatchObject({
      status: "installed",
      currency: "USD",
      installPendingReason: "Shopify answered HTTP 503",
    });
    expect(await db.prisma.shopSettings.count({ where: { shop: "a.myshopify.com" } })).toBe(1);
    expect(await shops.completePendingInstall("a.myshopify.com", DETAILS)).toBe(true);
    expect(await db.prisma.shop.findUniqueOrThrow({ where: { shop: "a.myshopify.com" } })).toMatchObject({ ...DETAILS, installPendingReason: null });
    // Finished: a second completion (a duplicate task) changes nothing.
    expect(await shops.completePendingInstall("a.myshopify.com", { ...DETAILS, name: "Other" })).toBe(false);
  });

  it("is left alone once the shop uninstalled, by the task and by its writes", async () => {
    await shops.markInstallPending("b.myshopify.com", "fetch failed");
    await shops.recordUninstall(db.prisma, "b.myshopify.com", new Date());
    expect(await completion.finishInstall({ shop: "b.myshopify.com" }, noAdmin)).toBe("nothing_pending");
    expect(await shops.completePendingInstall("b.myshopify.com", DETAILS)).toBe(false);
    await shops.notePendingInstallReason("b.myshopify.com", "later error");
    expect(await db.prisma.shop.findUniqueOrThrow({ where: { shop: "b.myshopify.com" } })).toMatchObject({
      status: "uninstalled",
      name: null,
      installPendingReason: "fetch failed",
    });
  });

  it("keeps a reinstalled shop's known details while pending", async () => {
    await shops.saveShopDetails("c.myshopify.com", DETAILS);
    await shops.markInstallPending("c.myshopify.com", "Shopify answered HTTP 502");
    expect(await db.prisma.shop.findUniqueOrThrow({ where: { shop: "c.myshopify.com" } })).toMatchObject({
      ...DETAILS,
      installPendingReason: "Shopify answered HTTP 502",
    });
  });
});
