import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../support/server";
import { embeddedQuery, signSessionToken } from "../fakes/shopify/session-token";
import { APP_BRIDGE_CDN, appBridgeStandIn } from "../fakes/shopify/app-bridge";
import { startFakeWhatsApp, type FakeWhatsApp } from "../fakes/whatsapp/server";
import { snapshotBuild } from "../../scripts/build-snapshot";
import { chromiumMissing, launchChromium } from "../support/browser";
import prisma from "../../app/db.server";
import { encryptSecret } from "../../app/security/encryption.server";

/** The templates page in Chromium: states, reasons and quality, a preview, and an edit refused. */
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SHOP = "templates-admin.myshopify.com";
const NUMBER = { phoneNumberId: "1077701234", wabaId: "2077701234", accessToken: "EAAG-templates" };
const haveBrowser = !chromiumMissing();

let server: TestServer;
let fake: FakeWhatsApp;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;
let browser: Browser;
const token = () => signSessionToken({ shop: SHOP, apiKey: server.apiKey, secret: server.secret });

async function open(path: string): Promise<Page> {
  const context = await browser.newContext({ userAgent: CHROME_UA, viewport: { width: 1280, height: 900 } });
  await context.exposeFunction("__reboundIdToken", () => token());
  await context.route(APP_BRIDGE_CDN, (route) => route.fulfill({ contentType: "text/javascript", body: appBridgeStandIn }));
  const page = await context.newPage();
  await page.goto(`${server.url}${path}&${embeddedQuery(SHOP, token())}`);
  await page.waitForLoadState("networkidle");
  return page;
}

beforeAll(async () => {
  if (!haveBrowser) return;
  snapshot = snapshotBuild();
  fake = await startFakeWhatsApp({ numbers: [NUMBER] });
  server = await startTestServer({ WHATSAPP_API_ORIGIN: fake.origin }, { root: snapshot.root });
  await prisma.shop.create({
    data: {
      shop: SHOP, name: "Templates Store", primaryLocale: "en", settings: { create: {} },
      connection: { create: { phoneNumberId: NUMBER.phoneNumberId, businessAccountId: NUMBER.wabaId, accessTokenEnc: encryptSecret(NUMBER.accessToken) } },
    },
  });
  await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", accessToken: "shpat_test", isOnline: false } });
  const base = { shop: SHOP, language: "en", origin: "library", category: "MARKETING" as const };
  await prisma.messageTemplate.createMany({
    data: [
      { ...base, name: "cart_reminder_1", status: "APPROVED", externalId: "1", quality: "YELLOW" },
      { ...base, name: "store_offer", status: "REJECTED", externalId: "2", rejectedReason: "INVALID_FORMAT" },
      { ...base, name: "back_in_stock", status: "PENDING", externalId: "3" },
    ],
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.close();
  snapshot?.remove();
});

describe.skipIf(!haveBrowser)("templates page", () => {
  it("shows each template's state, reason and quality, previews it and refuses words that drop a value", async () => {
    const page = await open("/app/templates?language=en");
    const text = await page.locator("body").innerText();
    expect(text).toContain("Submit all in English");
    expect(text).toContain("Rejected: INVALID_FORMAT");
    expect(text).toContain("Quality: Medium");
    expect(text).toContain("In review");
    expect(text).toContain("Not submitted");
    await page.screenshot({ path: "/tmp/templates-page.png", fullPage: true });

    await page.getByRole("button", { name: "Preview" }).first().click();
    await expect.poll(() => page.getByTestId("template-preview").first().innerText()).toContain("Linen shirt and 1 more");

    const offer = page.locator('[data-template="store_offer"]');
    await offer.getByRole("button", { name: "Edit words" }).click();
    await page.getByLabel("Message").fill("Big news: {{1}} this week only.");
    await page.getByRole("button", { name: "Send changes for review" }).click();
    await page.screenshot({ path: "/tmp/templates-edit.png", fullPage: true });
    await expect.poll(() => page.locator("body").innerText()).toContain("Keep exactly the values {{1}}, {{2}}");
    await page.screenshot({ path: "/tmp/templates-edit.png", fullPage: true });
    expect(fake.review.submissions).toEqual([]);
  });
});
