import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../support/server";
import { embeddedQuery, signSessionToken } from "../fakes/shopify/session-token";
import { APP_BRIDGE_CDN, appBridgeStandIn } from "../fakes/shopify/app-bridge";
import { startFakeShopifyAdmin, type FakeShopifyAdmin } from "../fakes/shopify/admin";
import { startFakeWhatsApp, type FakeWhatsApp } from "../fakes/whatsapp/server";
import { seedShop } from "./support/admin-seed";
import { snapshotBuild } from "../../scripts/build-snapshot";
import { chromiumMissing, launchChromium } from "../support/browser";
import prisma from "../../app/db.server";

/**
 * The merchant's admin pages in Chromium against the real server: authenticated the way the
 * Shopify admin does it (session token on the first load, bearer tokens after), with App Bridge
 * replaced by a local stand-in because its CDN is unreachable here.
 */
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SHOP_A = "alpha-admin.myshopify.com";
const SHOP_B = "bravo-admin.myshopify.com";
const SHOP_EMPTY = "empty-admin.myshopify.com";
const ARTIFACTS = "tests/artifacts";

const haveBrowser = !chromiumMissing();

let server: TestServer;
let shopifyAdmin: FakeShopifyAdmin;
let whatsApp: FakeWhatsApp;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;
let browser: Browser;
let seededB: Awaited<ReturnType<typeof seedShop>>;
let seededA: Awaited<ReturnType<typeof seedShop>>;

const token = (shop: string) => signSessionToken({ shop, apiKey: server.apiKey, secret: server.secret });

async function openAdmin(shop: string, path: string): Promise<Page> {
  const context = await browser.newContext({ userAgent: CHROME_UA, viewport: { width: 1280, height: 900 } });
  await context.exposeFunction("__reboundIdToken", () => token(shop));
  await context.route(APP_BRIDGE_CDN, (route) => route.fulfill({ contentType: "text/javascript", body: appBridgeStandIn }));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  (page as Page & { errors?: string[] }).errors = errors;
  const separator = path.includes("?") ? "&" : "?";
  const response = await page.goto(`${server.url}${path}${separator}${embeddedQuery(shop, token(shop))}`);
  expect(response?.status(), `GET ${path}`).toBeLessThan(500);
  await page.waitForLoadState("networkidle");
  return page;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

/** A request straight to the server as shop `shop` would make it from inside the admin. */
function asShop(shop: string, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token(shop)}`);
  headers.set("user-agent", CHROME_UA);
  return fetch(`${server.url}${path}`, { ...init, headers, redirect: "manual" });
}

beforeAll(async () => {
  if (!haveBrowser) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  snapshot = snapshotBuild();
  // The cross-sell page lists the shop's collections from the Admin API.
  shopifyAdmin = await startFakeShopifyAdmin();
  shopifyAdmin.store.seedShop({ domain: SHOP_A, accessToken: "shpat_test" });
  shopifyAdmin.store.seedCollection(SHOP_A, { id: "5101", title: "Mugs and cups", handle: "mugs", productIds: [] });
  shopifyAdmin.store.seedCollection(SHOP_A, { id: "5102", title: "Aprons", handle: "aprons", productIds: [] });
  // Saving the WhatsApp connection asks Meta whether the number is in the account.
  whatsApp = await startFakeWhatsApp({ numbers: [{ phoneNumberId: "1098765432", wabaId: "2098765432", accessToken: "EAAG-secret-token-value" }] });
  server = await startTestServer({ SHOPIFY_ADMIN_API_ORIGIN: shopifyAdmin.origin, WHATSAPP_API_ORIGIN: whatsApp.origin }, { root: snapshot.root });
  const now = new Date();
  seededA = await seedShop(prisma, SHOP_A, now, "Alpha");
  seededB = await seedShop(prisma, SHOP_B, now, "Bravo");
  await prisma.shop.create({ data: { shop: SHOP_EMPTY, name: "Empty Store", settings: { create: {} } } });
  await prisma.session.create({ data: { id: `offline_${SHOP_EMPTY}`, shop: SHOP_EMPTY, state: "", accessToken: "shpat_test", isOnline: false } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await shopifyAdmin?.close();
  await whatsApp?.close();
  snapshot?.remove();
});

describe.skipIf(!haveBrowser)("admin pages", () => {
  it("home shows the checklist with derived steps, the funnel, revenue by flow and charts", async () => {
    const page = await openAdmin(SHOP_A, "/app");
    await page.getByText("Set up Rebound").waitFor();
    // Templates are synced and the cart block produced opt-ins; no WhatsApp connection yet.
    const step = (title: string) => page.locator("div", { hasText: title }).filter({ has: page.getByText(/^(Done|To do)$/) }).last();
    await expect(step("Get your message templates approved").getByText("Done").count()).resolves.toBe(1);
    await expect(step("Turn on the opt-in blocks").getByText("Done").count()).resolves.toBe(1);
    await expect(step("Connect your WhatsApp Business number").getByText("To do").count()).resolves.toBe(1);
    await expect(page.getByRole("link", { name: "Turn on cart embed" }).count()).resolves.toBe(0);
    await expect(page.getByText("€58.00").first().isVisible()).resolves.toBe(true);
    // Messaged shopper bought (1/1), control group 1/2 bought: lift +100%.
    await expect(page.getByText("+100%").isVisible()).resolves.toBe(true);
    // polaris-viz draws its axes first and the lines once it has measured its container: wait
    // for a line of each chart, so the screenshot shows them.
    for (const chart of ["Messages per day", "Revenue per day"]) {
      await page.locator(`[aria-label="${chart}"] svg path[d*="L"]`).filter({ visible: true }).first().waitFor();
    }
    await shot(page, "home");
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.context().close();
  });

  it("every page renders its empty state for a new shop", async () => {
    const expectations: Array<[string, string]> = [
      ["/app", "No messages sent yet"],
      ["/app/flows", "Abandoned cart"],
      ["/app/campaigns", "No campaigns yet"],
      ["/app/messages", "No messages match"],
      ["/app/demand", "No one is waiting"],
      ["/app/settings", "WhatsApp connection"],
      ["/app/flows/abandoned_cart", "No approved marketing templates yet"],
    ];
    for (const [path, text] of expectations) {
      const page = await openAdmin(SHOP_EMPTY, path);
      await page.getByText(text).first().waitFor();
      if (path === "/app") {
        // Theme editor deep links (shopify.dev: app embed activateAppId, app block addAppBlockId).
        const embed = await page.getByRole("link", { name: "Turn on cart embed" }).getAttribute("href");
        expect(embed).toBe(`https://${SHOP_EMPTY}/admin/themes/current/editor?context=apps&activateAppId=${server.apiKey}%2Fcart-drawer-embed`);
        const block = await page.getByRole("link", { name: "Add product block" }).getAttribute("href");
        expect(block).toBe(`https://${SHOP_EMPTY}/admin/themes/current/editor?template=product&addAppBlockId=${server.apiKey}%2Fproduct-notify&target=mainSection`);
      }
      await shot(page, `empty-${path.replaceAll("/", "-").replace(/^-/, "") || "home"}`);
      await page.context().close();
    }
  });

  it("lists, filters and opens messages with a readable failure reason", async () => {
    const page = await openAdmin(SHOP_A, "/app/messages");
    await expect(page.getByRole("row").count()).resolves.toBe(5); // header + four messages (two held out)
    await page.goto(`${server.url}/app/messages?status=failed&${embeddedQuery(SHOP_A, token(SHOP_A))}`);
    await expect(page.getByRole("row").count()).resolves.toBe(2);
    await shot(page, "messages");
    await page.getByRole("link").filter({ hasText: /\d{4}/ }).first().click();
    await page.getByText("Why it failed").waitFor();
    await page.getByText("Try again after 24 hours").waitFor();
    await shot(page, "message-failed");
    await page.context().close();

    const detail = await openAdmin(SHOP_A, `/app/messages/${seededA.sentId}`);
    for (const kind of ["Planned", "Gate decision", "Sent", "Delivered", "Read", "Clicked"]) {
      await detail.getByText(kind, { exact: true }).first().waitFor();
    }
    await shot(detail, "message-timeline");
    await detail.context().close();
  });

  it("ranks sold-out variants by waiting shoppers with the revenue they represent", async () => {
    const page = await openAdmin(SHOP_A, "/app/demand");
    const rows = page.locator("tbody tr");
    await expect(rows.count()).resolves.toBe(2);
    await expect(rows.nth(0).innerText()).resolves.toMatch(/Alpha Ceramic Mug – Blue[\s\S]*3[\s\S]*€29\.00[\s\S]*€87\.00/);
    await expect(rows.nth(1).innerText()).resolves.toMatch(/Alpha Linen Apron[\s\S]*1[\s\S]*€45\.00/);
    await shot(page, "demand");
    await page.context().close();
  });

  it("lets the merchant configure and enable a flow, previewing it with the shop's latest cart", async () => {
    const page = await openAdmin(SHOP_A, "/app/flows/abandoned_cart");
    // The flow's default config has three steps; keep one.
    await page.getByRole("button", { name: "Remove" }).first().click();
    await page.getByRole("button", { name: "Remove" }).first().click();
    const template = page.getByLabel("Template");
    // Only APPROVED MARKETING templates: not the pending one, not the utility one; one whose
    // variables do not match what the step sends is marked and cannot be picked.
    expect(await template.locator("option").allTextContents()).toEqual([
      "Choose a template",
      "cart_reminder (en)",
      "product_pick (en) (does not fit: body has 2 variables, the flow sends 3)",
    ]);
    expect(await template.locator("option[disabled]").allTextContents()).toEqual(["product_pick (en) (does not fit: body has 2 variables, the flow sends 3)"]);
    await template.selectOption("cart_reminder|en");
    const preview = page.getByTestId("message-preview");
    await expect(preview.innerText()).resolves.toContain("You left Alpha Ceramic Mug in your cart. Your total is €58.00.");
    await page.getByLabel("Send this flow").check();
    await page.getByLabel("Send after (hours)").fill("2");
    await page.getByLabel("Discount", { exact: true }).selectOption("percentage");
    await page.getByLabel("Amount").fill("10");
    await expect(preview.innerText()).resolves.toContain("Use code SAVE-XXXX");
    await page.getByLabel("Control group (%)").fill("80");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("a control group of at most 50%").waitFor();
    await shot(page, "flow-errors");
    expect(await prisma.flowSetting.count({ where: { shop: SHOP_A } })).toBe(0);

    await page.getByLabel("Control group (%)").fill("10");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Flow saved").waitFor();
    await shot(page, "flow-saved");
    const saved = await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: SHOP_A, flow: "abandoned_cart" } } });
    expect(saved.enabled).toBe(true);
    expect(saved.holdoutPercent).toBe(10);
    expect(saved.config).toEqual({
      steps: [{ delayHours: 2, templateName: "cart_reminder", language: "en", discount: { kind: "percentage", value: 10, validHours: 48 } }],
    });

    await page.reload();
    await expect(page.getByLabel("Send after (hours)").inputValue()).resolves.toBe("2");
    await page.context().close();

    const list = await openAdmin(SHOP_A, "/app/flows");
    const row = list.getByRole("row").filter({ hasText: "Abandoned cart" });
    await expect(row.getByText("On", { exact: true }).count()).resolves.toBe(1);
    await row.getByRole("button", { name: "Turn off" }).click();
    await row.getByRole("button", { name: "Turn on" }).waitFor();
    expect((await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: SHOP_A, flow: "abandoned_cart" } } })).enabled).toBe(false);
    // A flow whose template is not approved here cannot be switched on.
    const reorder = list.getByRole("row").filter({ hasText: "Time to reorder" });
    await reorder.getByRole("button", { name: "Turn on" }).click();
    await reorder.getByText("Choose an approved template before turning this flow on").waitFor();
    expect(await prisma.flowSetting.count({ where: { shop: SHOP_A, flow: "reorder" } })).toBe(0);
    await shot(list, "flows");
    await list.context().close();

    // Appointment reminders are UTILITY: only utility templates are offered.
    const appointment = await openAdmin(SHOP_A, "/app/flows/appointment");
    expect(await appointment.getByLabel("Template").locator("option").allTextContents()).toEqual(["Choose a template", "booking_reminder (en)"]);
    await appointment.getByLabel("Template").selectOption("booking_reminder|en");
    await expect(appointment.getByTestId("message-preview").innerText()).resolves.toMatch(/See you on .+ at 10:30 for Alpha Ceramic Mug\./);
    await shot(appointment, "flow-appointment");
    await appointment.context().close();
  });

  it("sets a product's reorder interval and shows what each cart reminder earned", async () => {
    const page = await openAdmin(SHOP_A, "/app/flows/reorder");
    await page.getByText("Reorder intervals").waitFor();
    const apron = page.getByTestId("interval-p2");
    const kettle = page.getByTestId("interval-7001");
    // Most ordered first: six apron orders, one kettle order; the mug was never ordered.
    await expect(page.locator('[data-testid^="interval-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-testid"))))
      .resolves.toEqual(["interval-p2", "interval-7001"]);
    await apron.getByText("21 days · Learned from 5 repeat orders").waitFor();
    await kettle.getByText("30 days · Default").waitFor();

    const days = kettle.getByLabel("Days for Alpha Pour-over Kettle");
    await days.fill("400");
    await kettle.getByRole("button", { name: "Save Alpha Pour-over Kettle" }).click();
    await kettle.getByText("Use 1 to 365 days").waitFor();
    await expect(days.getAttribute("aria-invalid")).resolves.toBe("true");
    expect((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP_A, id: "7001" } } })).replenishmentDays).toBeNull();
    await shot(page, "flow-reorder-interval-error");

    await days.fill("45");
    await kettle.getByRole("button", { name: "Save Alpha Pour-over Kettle" }).click();
    await kettle.getByText("45 days · Set by you").waitFor();
    expect((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP_A, id: "7001" } } })).replenishmentDays).toBe(45);
    expect((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP_B, id: "7001" } } })).replenishmentDays).toBeNull();
    await shot(page, "flow-reorder-intervals");

    // A product nobody has ordered yet is found by name, and gets its interval before the first order.
    const search = page.getByTestId("reorder-interval-search");
    await search.getByLabel("Find a product").fill("ceramic mug");
    await search.getByRole("button", { name: "Search" }).click();
    await page.getByText("Products whose name contains “ceramic mug”.").waitFor();
    const rowIds = () => page.locator('[data-testid^="interval-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-testid")));
    const mug = page.locator('[data-testid^="interval-"]').filter({ hasText: "Alpha Ceramic Mug" });
    await mug.getByText("30 days · Default").waitFor();
    await expect(rowIds()).resolves.toHaveLength(1);
    await mug.getByRole("spinbutton").fill("90");
    await mug.getByRole("button", { name: /^Save Alpha Ceramic Mug/ }).click();
    await mug.getByText("90 days · Set by you").waitFor();
    await shot(page, "flow-reorder-interval-search");
    await search.getByLabel("Find a product").fill("no such thing");
    await search.getByRole("button", { name: "Search" }).click();
    await page.getByText("No product's name contains “no such thing”.").waitFor();
    await page.getByRole("link", { name: "Most ordered" }).click();
    await page.getByText("Products whose name contains").waitFor({ state: "detached" });
    await expect(rowIds()).resolves.toEqual(["interval-p2", "interval-7001"]);
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.context().close();

    const cart = await openAdmin(SHOP_A, "/app/flows/abandoned_cart");
    const table = cart.getByTestId("step-results");
    await expect(table.locator("thead th").allInnerTexts()).resolves.toEqual(["Message", "Sent", "Clicked", "Orders", "Revenue"]);
    await expect(table.locator("tbody tr").first().innerText()).resolves.toMatch(/^Message 1\s+1\s+1\s+1\s+€58\.00$/);
    await table.scrollIntoViewIfNeeded();
    await shot(cart, "flow-step-results");
    await cart.context().close();
  });

  it("edits the appointment reminders and picks the cross-sell's fallback collection", async () => {
    const appointment = await openAdmin(SHOP_A, "/app/flows/appointment");
    const hours = (n: number) => appointment.getByLabel(`Reminder ${n}: hours before the booking`);
    await expect(hours(1).inputValue()).resolves.toBe("24");
    await expect(hours(2).inputValue()).resolves.toBe("2");
    await appointment.getByRole("button", { name: "Add a reminder" }).click();
    await hours(3).fill("2");
    await expect(appointment.getByRole("button", { name: "Add a reminder" }).count()).resolves.toBe(0);
    await appointment.getByLabel("Template").selectOption("booking_reminder|en");
    await appointment.getByRole("button", { name: "Save" }).click();
    await appointment.getByText("each reminder needs a different time").waitFor();
    expect(await prisma.flowSetting.count({ where: { shop: SHOP_A, flow: "appointment" } })).toBe(0);
    await hours(1).fill("48");
    await hours(3).fill("6");
    await appointment.getByRole("button", { name: "Save" }).click();
    await appointment.getByText("Flow saved").waitFor();
    await shot(appointment, "flow-appointment-reminders");
    const stored = await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: SHOP_A, flow: "appointment" } } });
    expect((stored.config as { reminders: unknown }).reminders).toEqual([{ hoursBefore: 48 }, { hoursBefore: 6 }, { hoursBefore: 2 }]);
    await appointment.reload();
    await expect(hours(2).inputValue()).resolves.toBe("6");
    await appointment.getByRole("button", { name: "Remove" }).first().click();
    await expect(hours(3).count()).resolves.toBe(0);
    await appointment.context().close();

    const upsell = await openAdmin(SHOP_A, "/app/flows/upsell");
    const collection = upsell.getByLabel("Collection to suggest from otherwise");
    expect(await collection.locator("option").allTextContents()).toEqual(["No collection", "Aprons", "Mugs and cups"]);
    await collection.selectOption("Mugs and cups");
    await upsell.getByLabel("Template").selectOption("product_pick|en");
    await upsell.getByRole("button", { name: "Save" }).click();
    await upsell.getByText("Flow saved").waitFor();
    await shot(upsell, "flow-upsell");
    const upsellRow = await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: SHOP_A, flow: "upsell" } } });
    expect(upsellRow.config).toMatchObject({ fallbackCollectionId: "5101", fallbackProductId: null });
    await upsell.reload();
    await expect(collection.inputValue()).resolves.toBe("5101");
    expect((upsell as Page & { errors?: string[] }).errors).toEqual([]);
    await upsell.context().close();
  });

  it("saves settings, keeps WhatsApp secrets write-only and shows a banner while sending is paused", async () => {
    await prisma.shop.update({ where: { shop: SHOP_A }, data: { sendingPausedReason: "whatsapp_token_invalid" } });
    const page = await openAdmin(SHOP_A, "/app/settings");
    await page.getByText("Messages are paused").waitFor();
    // A number Meta does not list on the account is refused on its field, and nothing is saved.
    await page.getByLabel("Phone number ID").fill("1098765499");
    await page.getByLabel("WhatsApp Business account ID").fill("2098765432");
    await page.getByLabel("Access token").fill("EAAG-secret-token-value");
    await page.getByRole("button", { name: "Save connection" }).click();
    const phoneField = page.getByLabel("Phone number ID");
    await page.getByText("This phone number ID is not in that WhatsApp Business account").waitFor();
    await expect.poll(() => phoneField.getAttribute("aria-invalid")).toBe("true");
    expect(await prisma.whatsAppConnection.count({ where: { shop: SHOP_A } })).toBe(0);
    await phoneField.fill("1098765432");
    await page.getByLabel("Access token").fill("EAAG-secret-token-value");
    await page.getByRole("button", { name: "Save connection" }).click();
    await page.getByText("WhatsApp connection saved").waitFor();
    await expect.poll(() => page.getByLabel("Access token").inputValue()).toBe("");
    expect(await page.content()).not.toContain("EAAG-secret-token-value");
    const reloaded = await asShop(SHOP_A, `/app/settings?${embeddedQuery(SHOP_A, token(SHOP_A))}`);
    expect(await reloaded.text()).not.toContain("EAAG-secret-token-value");
    const row = await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP_A } });
    expect(row.accessTokenEnc).not.toContain("EAAG");
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP_A } })).sendingPausedReason).toBeNull();
    // The banner goes once the loaders revalidate after the save.
    await page.getByText("Messages are paused").waitFor({ state: "detached" });

    await page.getByLabel("Only send to these calling codes").fill("34, +44");
    await page.getByLabel("Never send to these calling codes").fill("44");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("A code can't be both allowed and blocked").waitFor();
    await page.getByLabel("Never send to these calling codes").fill("7");
    await page.getByLabel("Attribution window (days)").fill("7");
    await page.getByRole("button", { name: "Move up: Back in stock" }).click();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Settings saved").waitFor();
    await shot(page, "settings");
    const settings = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP_A } });
    expect(settings.allowedCallingCodes).toEqual(["34", "44"]);
    expect(settings.blockedCallingCodes).toEqual(["7"]);
    expect(settings.attributionWindowDays).toBe(7);
    expect(settings.flowPriority.slice(0, 2)).toEqual(["back_in_stock", "abandoned_cart"]);
    await page.context().close();
  });

  it("builds a campaign, estimates its audience and schedules it", async () => {
    const page = await openAdmin(SHOP_A, "/app/campaigns/new");
    await page.getByLabel("Name").fill("Spring offer");
    await page.getByLabel("Marketing template").selectOption("cart_reminder|en");
    await page.getByLabel("Calling codes (optional)").fill("34");
    await page.getByRole("button", { name: "Estimate audience" }).click();
    await page.getByText("4 subscribers would get this message.").waitFor();
    // Only the shop's ordered products are offered, and "bought it" narrows the audience.
    const bought = page.getByLabel("Bought");
    expect(await bought.locator("option").allInnerTexts()).toEqual(["Any product", "Alpha Linen Apron", "Alpha Pour-over Kettle"]);
    await bought.selectOption({ label: "Alpha Pour-over Kettle" });
    await page.getByRole("button", { name: "Estimate audience" }).click();
    await page.getByText("1 subscriber would get this message.").waitFor();
    await bought.selectOption({ label: "Any product" });
    // The template has three placeholders: each needs a value before the campaign is saved.
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.getByText("Fill in this value").first().waitFor();
    expect(await prisma.campaign.count({ where: { shop: SHOP_A, name: "Spring offer" } })).toBe(0);
    await page.getByLabel("Value for {{1}}").fill("our spring mugs");
    await page.getByLabel("Value for {{2}}").fill("20% off");
    await page.getByLabel("Value for {{3}}").fill("SPRING20");
    await expect(page.getByTestId("message-preview").innerText()).resolves.toContain("You left our spring mugs in your cart. Your total is 20% off. Use code SPRING20");
    await shot(page, "campaign-new");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.getByText("Progress").waitFor();
    const campaign = await prisma.campaign.findFirstOrThrow({ where: { shop: SHOP_A, name: "Spring offer" } });
    expect(campaign.status).toBe("draft");
    expect(campaign.audienceSize).toBe(4);
    expect(campaign.params).toEqual({ body: ["our spring mugs", "20% off", "SPRING20"] });
    await page.getByRole("button", { name: "Send now" }).click();
    await page.getByText("Scheduled", { exact: true }).waitFor();
    await shot(page, "campaign");
    expect((await prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status).toBe("scheduled");
    await page.context().close();

    expect(await prisma.task.count({ where: { shop: SHOP_A, kind: "campaigns.launch" } })).toBe(1);

    // A time picked in the form is the shop's wall clock (Europe/Madrid is UTC+1 in January).
    const later = await openAdmin(SHOP_A, "/app/campaigns/new");
    await later.getByLabel("Name").fill("January offer");
    await later.getByLabel("Marketing template").selectOption("cart_reminder|en");
    for (const n of [1, 2, 3]) await later.getByLabel(`Value for {{${n}}}`).fill(`v${n}`);
    await later.getByLabel("Bought").selectOption({ label: "Alpha Pour-over Kettle" });
    await later.getByLabel("Send at").fill("2030-01-15T10:00");
    await later.getByRole("button", { name: "Schedule" }).click();
    await later.getByRole("heading", { name: "Progress" }).waitFor();
    const january = await prisma.campaign.findFirstOrThrow({ where: { shop: SHOP_A, name: "January offer" } });
    expect(january.status).toBe("scheduled");
    expect(january.scheduledAt?.toISOString()).toBe("2030-01-15T09:00:00.000Z");
    expect(january).toMatchObject({ audience: { productId: "7001", countries: [] }, audienceSize: 1 });
    await later.context().close();

    const list = await openAdmin(SHOP_A, "/app/campaigns");
    await list.getByText("Spring offer").waitFor();
    await shot(list, "campaigns");
    await list.context().close();
  });

  it("gives a session of shop A no row of shop B through any loader or action", async () => {
    const page = await openAdmin(SHOP_A, `/app/messages/${seededB.sentId}`);
    await page.getByText("This message doesn't exist.").waitFor();
    await shot(page, "not-found");
    await page.context().close();

    for (const path of [`/app/messages/${seededB.sentId}`, `/app/messages/${seededB.failedId}`, `/app/campaigns/${seededB.campaignId}`, "/app/flows/not_a_flow"]) {
      const response = await asShop(SHOP_A, `${path}?${embeddedQuery(SHOP_A, token(SHOP_A))}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain("Bravo");
    }
    const before = await prisma.campaign.findUniqueOrThrow({ where: { id: seededB.campaignId } });
    for (const intent of ["schedule", "cancel"]) {
      const response = await asShop(SHOP_A, `/app/campaigns/${seededB.campaignId}`, {
        method: "POST",
        body: new URLSearchParams({ intent, scheduledAt: "" }),
      });
      expect(response.status, intent).toBe(404);
    }
    expect(await prisma.campaign.findUniqueOrThrow({ where: { id: seededB.campaignId } })).toEqual(before);
    expect(await prisma.task.count({ where: { shop: SHOP_B } })).toBe(0);

    // A campaign of A cannot target a product only B sells, nor list B's products.
    await prisma.product.create({ data: { shop: SHOP_B, id: "7999", title: "Bravo Only Grinder", shopifyUpdatedAt: new Date() } });
    const campaignsBefore = await prisma.campaign.count();
    const targeted = await asShop(SHOP_A, "/app/campaigns/new", {
      method: "POST",
      body: new URLSearchParams({ intent: "create", name: "Poach", template: "cart_reminder|en", "body.1": "a", "body.2": "b", "body.3": "c", productId: "7999" }),
    });
    expect(targeted.status).toBe(422);
    expect(await prisma.campaign.count()).toBe(campaignsBefore);
    const picker = await (await asShop(SHOP_A, `/app/campaigns/new?${embeddedQuery(SHOP_A, token(SHOP_A))}`)).text();
    expect(picker).toContain("Alpha Pour-over Kettle");
    expect(picker).not.toContain("Bravo");

    // Lists and pages of A never show B's rows.
    const messages = await asShop(SHOP_A, `/app/messages?${embeddedQuery(SHOP_A, token(SHOP_A))}`);
    const body = await messages.text();
    expect(body).not.toContain(seededB.sentId);
    const demand = await (await asShop(SHOP_A, `/app/demand?${embeddedQuery(SHOP_A, token(SHOP_A))}`)).text();
    expect(demand).not.toContain("Bravo");
    // Saving settings and flows as A writes only A's rows.
    const flowsB = await prisma.flowSetting.count({ where: { shop: SHOP_B } });
    const settingsB = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP_B } });
    await asShop(SHOP_A, "/app/flows?index", { method: "POST", body: new URLSearchParams({ flow: "abandoned_cart", enabled: "false" }) });
    expect(await prisma.flowSetting.count({ where: { shop: SHOP_B } })).toBe(flowsB);
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP_B } })).toEqual(settingsB);
  });
});
