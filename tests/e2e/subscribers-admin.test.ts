import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../support/server";
import { DESKTOP_CHROME_UA } from "../fakes/shopify/app-proxy";
import { embeddedQuery, signSessionToken } from "../fakes/shopify/session-token";
import { APP_BRIDGE_CDN, appBridgeStandIn } from "../fakes/shopify/app-bridge";
import { snapshotBuild } from "../../scripts/build-snapshot";
import { chromiumMissing, launchChromium } from "../support/browser";
import prisma from "../../app/db.server";
import { readFileSync } from "node:fs";

/** The Subscribers pages in Chromium: list, filters, consent history, manual opt-out, CSV export. */
const ARTIFACTS = "tests/artifacts";
const SHOP = "subscribers-e2e.myshopify.com";
const OTHER = "subscribers-other.myshopify.com";
const skipReason = chromiumMissing();

let server: TestServer;
let build: ReturnType<typeof snapshotBuild> | undefined;
let browser: Browser;
let pendingId = "";

const token = (shop: string) => signSessionToken({ shop, apiKey: server.apiKey, secret: server.secret });

async function openAdmin(path: string): Promise<Page> {
  const context = await browser.newContext({ userAgent: DESKTOP_CHROME_UA, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await context.exposeFunction("__reboundIdToken", () => token(SHOP));
  await context.route(APP_BRIDGE_CDN, (route) => route.fulfill({ contentType: "text/javascript", body: appBridgeStandIn }));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  (page as Page & { errors?: string[] }).errors = errors;
  const separator = path.includes("?") ? "&" : "?";
  await page.goto(`${server.url}${path}${separator}${embeddedQuery(SHOP, token(SHOP))}`);
  await page.waitForLoadState("networkidle");
  return page;
}

async function seed() {
  for (const shop of [SHOP, OTHER]) {
    await prisma.shop.create({ data: { shop, name: shop, timezone: "Europe/Madrid", settings: { create: {} } } });
    await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", isOnline: false } });
  }
  const people: Array<[string, "pending" | "subscribed" | "unsubscribed", "product_block" | "cart_block" | "checkout"]> = [
    ["+34612000001", "subscribed", "product_block"],
    ["+34612000002", "pending", "cart_block"],
    ["+5511987654321", "subscribed", "checkout"],
    ["+6281234567890", "unsubscribed", "cart_block"],
  ];
  for (const [i, [phone, status, source]] of people.entries()) {
    const subscriber = await prisma.subscriber.create({
      data: { shop: SHOP, phone, callingCode: phone.slice(1, 3), countryCode: "ES", status, locale: "es", createdAt: new Date(Date.UTC(2026, 10, 20, 9, i)) },
    });
    await prisma.consentEvent.create({
      data: {
        shop: SHOP,
        subscriberId: subscriber.id,
        kind: "opt_in",
        source,
        text: "Sí, quiero recibir un mensaje de WhatsApp de Tienda Sol cuando este artículo vuelva a estar disponible.",
        textVersion: "t9a3f10c2",
        locale: "es",
        deviceHash: "ab".repeat(32),
        context: { requiresConfirmation: status === "pending" },
        occurredAt: new Date(Date.UTC(2026, 10, 20, 9, i)),
      },
    });
    if (status === "pending") {
      pendingId = subscriber.id;
      await prisma.notification.create({
        data: { shop: SHOP, flow: "optin_confirmation", dedupKey: `c:${subscriber.id}`, subscriberId: subscriber.id, sendAt: new Date(Date.now() + 60_000), templateName: "optin_confirmation" },
      });
    }
  }
  await prisma.subscriber.create({ data: { shop: OTHER, phone: "+34699000000", callingCode: "34", status: "subscribed" } });
}

describe.skipIf(skipReason)("subscribers admin in Chromium", () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    build = snapshotBuild();
    server = await startTestServer({}, { root: build.root });
    await seed();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    build?.remove();
  });

  it("lists the shop's subscribers and filters by status", async () => {
    const page = await openAdmin("/app/subscribers");
    await page.getByText("+34612000001").waitFor();
    expect(await page.getByText("+34699000000").count()).toBe(0);
    expect(await page.locator("tbody tr").count()).toBe(4);
    await page.screenshot({ path: `${ARTIFACTS}/subscribers-list.png`, fullPage: true });
    await page.goto(`${server.url}/app/subscribers?status=pending&${embeddedQuery(SHOP, token(SHOP))}`);
    await page.waitForLoadState("networkidle");
    expect(await page.locator("tbody tr").count()).toBe(1);
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.context().close();
  });

  it("exports the list as CSV from the button", async () => {
    const page = await openAdmin("/app/subscribers?source=cart_block");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const path = await download.path();
    const csv = readFileSync(path!, "utf8").trim().split("\r\n");
    expect(csv[0]).toContain("phone,country,status");
    expect(csv).toHaveLength(3);
    await page.context().close();
  });

  it("shows the consent history and records a manual opt-out", async () => {
    const page = await openAdmin(`/app/subscribers/${pendingId}`);
    await page.getByText("Consent history").waitFor();
    await page.getByText("Sí, quiero recibir", { exact: false }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/subscriber-history.png`, fullPage: true });
    await page.getByRole("button", { name: "Opt out" }).first().click();
    await page.getByLabel("Reason (kept in the consent history)").fill("Asked by phone");
    await page.screenshot({ path: `${ARTIFACTS}/subscriber-optout-modal.png` });
    await page.getByRole("dialog").getByRole("button", { name: "Opt out" }).click();
    await page.getByText("Opted out. Scheduled messages were cancelled.").waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/subscriber-opted-out.png`, fullPage: true });
    const row = await prisma.subscriber.findUniqueOrThrow({ where: { id: pendingId } });
    expect(row.status).toBe("unsubscribed");
    expect(await prisma.consentEvent.count({ where: { subscriberId: pendingId, kind: "opt_out", source: "admin", text: "Asked by phone" } })).toBe(1);
    expect((await prisma.notification.findFirstOrThrow({ where: { subscriberId: pendingId } })).status).toBe("cancelled");
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.context().close();
  });
});
