import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../support/server";
import { embeddedQuery, signSessionToken } from "../fakes/shopify/session-token";
import { APP_BRIDGE_CDN, appBridgeStandIn } from "../fakes/shopify/app-bridge";
import { snapshotBuild } from "../../scripts/build-snapshot";
import { chromiumMissing, launchChromium } from "../support/browser";
import prisma from "../../app/db.server";
import { applyRetention } from "../../app/privacy/retention.server";

/**
 * The privacy parts of the settings page in Chromium against the real server: when the shop's
 * retention last ran and what it deleted, and the customers' data requests with their reports.
 */
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SHOP = "retention-admin.myshopify.com";
const OTHER = "retention-other.myshopify.com";
const haveBrowser = !chromiumMissing();

let server: TestServer;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;
let browser: Browser;

const token = (shop: string) => signSessionToken({ shop, apiKey: server.apiKey, secret: server.secret });

async function openSettings(shop: string): Promise<Page> {
  const context = await browser.newContext({ userAgent: CHROME_UA, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await context.exposeFunction("__reboundIdToken", () => token(shop));
  await context.route(APP_BRIDGE_CDN, (route) => route.fulfill({ contentType: "text/javascript", body: appBridgeStandIn }));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  (page as Page & { errors?: string[] }).errors = errors;
  const response = await page.goto(`${server.url}/app/settings?${embeddedQuery(shop, token(shop))}`);
  expect(response?.status()).toBe(200);
  await page.waitForLoadState("networkidle");
  return page;
}

beforeAll(async () => {
  if (!haveBrowser) return;
  snapshot = snapshotBuild();
  server = await startTestServer({}, { root: snapshot.root });
  const old = new Date(Date.now() - 60 * 86_400_000);
  for (const [shop, days] of [[SHOP, 30], [OTHER, 90]] as const) {
    await prisma.shop.create({ data: { shop, name: shop, timezone: "Europe/Madrid", settings: { create: { dataRetentionDays: days } } } });
    await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_test", isOnline: false } });
    await prisma.cart.create({ data: { shop, token: `old-${shop}`, shopifyUpdatedAt: old, createdAt: old, updatedAt: old } });
    await prisma.dataRequest.create({
      data: { shop, customerId: "7001", email: `asker@${shop}`, report: { subject: { email: `asker@${shop}` }, orders: [{ id: `order-of-${shop}` }] } },
    });
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  snapshot?.remove();
});

describe.skipIf(!haveBrowser)("settings: retention and data requests", () => {
  it("says retention has not run, then when it last ran and what it deleted", async () => {
    let page = await openSettings(SHOP);
    await page.getByText("Not run yet").waitFor();
    await page.context().close();

    const at = new Date(Date.UTC(2026, 11, 3, 9, 30));
    const passes = await applyRetention(at);
    expect(passes.find((p) => p.shop === SHOP)?.removed.carts).toBe(1);
    expect(passes.find((p) => p.shop === OTHER)?.removed.carts).toBe(0);

    page = await openSettings(SHOP);
    // 09:30 UTC is 10:30 in Madrid, the shop's own time zone.
    await page.getByText("Last applied Dec 3, 2026, 10:30 AM").waitFor();
    await page.getByText("Deleted then: messages 0, carts 1, checkouts 0, shoppers 0. Orders cleared of contact details: 0.").waitFor();
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.context().close();
  });

  it("lists the shop's own data requests and downloads each report", async () => {
    const page = await openSettings(SHOP);
    const list = page.getByRole("list", { name: "Data requests" });
    await list.getByText(`asker@${SHOP}`).waitFor();
    expect(await list.getByText(`asker@${OTHER}`).count()).toBe(0);
    const [download] = await Promise.all([page.waitForEvent("download"), list.getByRole("button", { name: "Download report" }).click()]);
    const body = JSON.parse(await readFile((await download.path())!, "utf8"));
    expect(body.report.orders).toEqual([{ id: `order-of-${SHOP}` }]);
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.context().close();
  });
});
