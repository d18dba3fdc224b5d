import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../support/server";
import { embeddedQuery, signSessionToken } from "../fakes/shopify/session-token";
import { APP_BRIDGE_CDN, appBridgeStandIn } from "../fakes/shopify/app-bridge";
import { startFakeWhatsApp, type FakeWhatsApp } from "../fakes/whatsapp/server";
import { snapshotBuild } from "../../scripts/build-snapshot";
import { chromiumMissing, launchChromium } from "../support/browser";
import { decryptSecret } from "../../app/security/encryption.server";
import prisma from "../../app/db.server";

/**
 * Embedded Signup in Chromium: "Connect WhatsApp" loads the (stand-in) Facebook SDK, opens the
 * (stand-in) Meta popup, the merchant picks a number and finishes; the popup's session-info
 * message and FB.login's code reach the page, which posts them to the server; the server does
 * every Graph call against the fake. Then the merchant disconnects from the same page.
 */
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SHOP = "signup-e2e.myshopify.com";
const APP_ID = "731000000000077";
const NUMBERS = [
  { phoneNumberId: "1088801111", wabaId: "2088801111", accessToken: "EAAG-first", displayPhoneNumber: "+34 910 888 111", verifiedName: "Dune Coffee" },
  { phoneNumberId: "1088802222", wabaId: "2088802222", accessToken: "EAAG-second", displayPhoneNumber: "+34 910 888 222", verifiedName: "Dune Coffee Outlet" },
];
const SHOTS = "/tmp/rebound-signup";
const haveBrowser = !chromiumMissing();

let server: TestServer;
let fake: FakeWhatsApp;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;
let browser: Browser;

const token = () => signSessionToken({ shop: SHOP, apiKey: server.apiKey, secret: server.secret });

async function openSettings(): Promise<Page> {
  const context = await browser.newContext({ userAgent: CHROME_UA, viewport: { width: 1280, height: 900 } });
  await context.exposeFunction("__reboundIdToken", () => token());
  await context.route(APP_BRIDGE_CDN, (route) => route.fulfill({ contentType: "text/javascript", body: appBridgeStandIn }));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  (page as Page & { errors?: string[] }).errors = errors;
  const response = await page.goto(`${server.url}/app/settings?${embeddedQuery(SHOP, token())}`);
  expect(response?.status()).toBe(200);
  await page.waitForLoadState("networkidle");
  return page;
}

/** Clicks Connect WhatsApp and returns Meta's (stand-in) popup. */
async function openPopup(page: Page): Promise<Page> {
  // The button waits for the SDK (loaded when the page opens, so the click itself opens the popup).
  await page.waitForFunction(
    () => Boolean((window as { FB?: unknown }).FB) && [...document.querySelectorAll("button")].some((b) => b.textContent === "Connect WhatsApp" && !b.disabled),
    null,
    { timeout: 30_000 },
  );
  const connect = page.getByRole("button", { name: "Connect WhatsApp" });
  const [popup] = await Promise.all([page.waitForEvent("popup"), connect.click()]);
  await popup.waitForLoadState();
  return popup;
}

beforeAll(async () => {
  if (!haveBrowser) return;
  fake = await startFakeWhatsApp({ numbers: NUMBERS.map((n) => ({ ...n })), appId: APP_ID, appSecret: "e2e-app-secret" });
  snapshot = snapshotBuild();
  server = await startTestServer(
    {
      WHATSAPP_API_ORIGIN: fake.origin,
      WHATSAPP_APP_ID: APP_ID,
      WHATSAPP_APP_SECRET: "e2e-app-secret",
      WHATSAPP_SIGNUP_CONFIG_ID: "9990001",
      WHATSAPP_SDK_URL: `${fake.origin}/en_US/sdk.js`,
      WHATSAPP_SIGNUP_ORIGINS: fake.origin,
    },
    { root: snapshot.root },
  );
  await prisma.shop.create({ data: { shop: SHOP, name: "Dune Coffee Co.", settings: { create: {} } } });
  await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", accessToken: "shpat_test", isOnline: false } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.close();
  snapshot?.remove();
});

describe.skipIf(!haveBrowser)("Connect WhatsApp (Embedded Signup)", () => {
  it("cancelling in Meta's window says so and saves nothing", async () => {
    const page = await openSettings();
    const popup = await openPopup(page);
    await popup.getByRole("button", { name: "Cancel" }).click();
    await page.getByText("WhatsApp was not connected: the Meta window was closed before the end.").waitFor();
    expect(await prisma.whatsAppConnection.count({ where: { shop: SHOP } })).toBe(0);
    expect(fake.signup.calls).toEqual([]);
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.context().close();
  });

  it("connects the number chosen in Meta's window and shows it", async () => {
    const page = await openSettings();
    await page.screenshot({ path: `${SHOTS}-before.png`, fullPage: true });
    const popup = await openPopup(page);
    await popup.getByLabel(/\+34 910 888 222/).check();
    await popup.getByRole("button", { name: "Finish" }).click();
    await page.getByText("Connected with Meta sign-in").waitFor();
    await page.getByRole("heading", { name: "+34 910 888 222" }).waitFor();
    await page.screenshot({ path: `${SHOTS}-connected.png`, fullPage: true });
    // Nothing to paste once Meta's sign-in connected the number.
    expect(await page.getByLabel("Access token").count()).toBe(0);

    const row = await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(row).toMatchObject({ phoneNumberId: "1088802222", businessAccountId: "2088802222", connectedVia: "signup" });
    expect(decryptSecret(row.accessTokenEnc)).toMatch(/^EAAB/);
    expect(fake.signup.isSubscribed("2088802222")).toBe(true);
    expect(fake.signup.registrations.has("1088802222")).toBe(true);
    expect(fake.signup.calls.map((c) => c.step)).toEqual(["exchange", "subscribe", "register"]);
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.context().close();
  });

  it("disconnects after a confirmation and offers Connect WhatsApp again", async () => {
    const page = await openSettings();
    await page.getByRole("button", { name: "Disconnect" }).click();
    await page.getByText("Disconnect WhatsApp?").waitFor();
    await page.getByRole("dialog").getByRole("button", { name: "Disconnect" }).click();
    await page.getByText("WhatsApp disconnected. Sending is paused.").first().waitFor();
    await page.getByRole("button", { name: "Connect WhatsApp" }).waitFor();
    await page.screenshot({ path: `${SHOTS}-disconnected.png`, fullPage: true });
    expect(await prisma.whatsAppConnection.count({ where: { shop: SHOP } })).toBe(0);
    expect(fake.signup.isSubscribed("2088802222")).toBe(false);
    expect(fake.signup.registrations.has("1088802222")).toBe(false);
    await page.context().close();
  });
});
