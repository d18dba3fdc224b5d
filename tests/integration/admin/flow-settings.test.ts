import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signSessionToken } from "../../fakes/shopify/session-token";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import prisma from "../../../app/db.server";

/**
 * Saving a single-template flow from its settings page: the flow's own schema validates, bad
 * input is a 422 naming the field and writes nothing, a template of the wrong category is
 * refused, and a good form is stored in the shape the planners read.
 */
const SHOP = "flows-admin.myshopify.com";
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

let server: TestServer;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;

function post(path: string, form: Record<string, string>) {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${signSessionToken({ shop: SHOP, apiKey: server.apiKey, secret: server.secret })}`,
      "user-agent": CHROME_UA,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
}

const LINK = { type: "BUTTONS", buttons: [{ type: "URL", text: "Shop", url: "https://rebound.example/r/{{1}}" }] };

const backInStock = (overrides: Record<string, string> = {}) => ({
  enabled: "true",
  holdoutPercent: "5",
  "config.templateName": "restock_alert|en",
  "config.delayMinutes": "15",
  "config.messagesPerUnit": "",
  "config.validHours": "24",
  ...overrides,
});

beforeAll(async () => {
  snapshot = snapshotBuild();
  server = await startTestServer({}, { root: snapshot.root });
  await prisma.shop.create({ data: { shop: SHOP, settings: { create: {} } } });
  await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", accessToken: "shpat_x", isOnline: false } });
  await prisma.messageTemplate.createMany({
    data: [
      { shop: SHOP, name: "restock_alert", language: "en", category: "MARKETING", status: "APPROVED", components: [{ type: "BODY", text: "{{1}} {{2}} is back" }, LINK] },
      // One body variable where the back-in-stock flow sends two
      { shop: SHOP, name: "restock_short", language: "en", category: "MARKETING", status: "APPROVED", components: [{ type: "BODY", text: "{{1}} is back" }, LINK] },
      // The right variables but no button for the flow's link
      { shop: SHOP, name: "restock_no_link", language: "en", category: "MARKETING", status: "APPROVED", components: [{ type: "BODY", text: "{{1}} {{2}} is back" }] },
      { shop: SHOP, name: "visit_reminder", language: "en", category: "UTILITY", status: "APPROVED", components: [{ type: "BODY", text: "See you for {{1}} on {{2}} at {{3}}" }] },
    ],
  });
});

afterAll(async () => {
  await server?.stop();
  snapshot?.remove();
});

describe("flow settings form", () => {
  it("answers 422 naming the field when a value is out of range, and writes nothing", async () => {
    const response = await post("/app/flows/back_in_stock", backInStock({ "config.delayMinutes": "5000" }));
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toMatch(/aria-invalid="true"[^>]*|Polaris-InlineError/);
    expect(await prisma.flowSetting.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("refuses a template of the wrong category", async () => {
    const response = await post("/app/flows/back_in_stock", backInStock({ "config.templateName": "visit_reminder|en" }));
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("Choose an approved marketing template");
    expect(await prisma.flowSetting.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("refuses a template whose variables or buttons do not match what the flow sends: 422 on the field, nothing saved", async () => {
    const short = await post("/app/flows/back_in_stock", backInStock({ "config.templateName": "restock_short|en" }));
    expect(short.status).toBe(422);
    const html = await short.text();
    expect(html).toContain("body has 1 variable, the flow sends 2");
    expect(html).toMatch(/aria-invalid="true"|Polaris-InlineError/);
    const noLink = await post("/app/flows/back_in_stock", backInStock({ "config.templateName": "restock_no_link|en" }));
    expect(noLink.status).toBe(422);
    expect(await noLink.text()).toContain("no URL button with a variable at index 0");
    expect(await prisma.flowSetting.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("marks the templates that do not fit in the picker", async () => {
    const page = await fetch(`${server.url}/app/flows/back_in_stock`, {
      headers: { authorization: `Bearer ${signSessionToken({ shop: SHOP, apiKey: server.apiKey, secret: server.secret })}`, "user-agent": CHROME_UA },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<option[^>]*disabled[^>]*>restock_short \(en\) \(does not fit: body has 1 variable, the flow sends 2\)/);
    expect(html).toMatch(/<option value="restock_alert\|en"[^>]*>restock_alert \(en\)<\/option>/);
  });

  it("will not switch a flow on while its template does not fit, and does once it fits", async () => {
    await prisma.flowSetting.create({
      data: { shop: SHOP, flow: "reorder", enabled: false, config: { templateName: "restock_short", language: "en", defaultDays: 30 } },
    });
    const refused = await post("/app/flows?index", { flow: "reorder", enabled: "true" });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("body has 1 variable, the flow sends 2");
    expect((await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: SHOP, flow: "reorder" } } })).enabled).toBe(false);

    await prisma.flowSetting.update({
      where: { shop_flow: { shop: SHOP, flow: "reorder" } },
      data: { config: { templateName: "restock_alert", language: "en", defaultDays: 30 } },
    });
    const accepted = await post("/app/flows?index", { flow: "reorder", enabled: "true" });
    expect(accepted.status).toBe(200);
    await accepted.text();
    expect((await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: SHOP, flow: "reorder" } } })).enabled).toBe(true);
  });

  it("refuses a campaign whose template has no button for the tracked link, and lists only templates that fit", async () => {
    const refused = await post("/app/campaigns/new", { name: "Spring", template: "restock_no_link|en", "body.1": "Mugs", "body.2": "20%" });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("no URL button with a variable at index 0");
    expect(await prisma.campaign.count({ where: { shop: SHOP } })).toBe(0);

    const page = await fetch(`${server.url}/app/campaigns/new`, {
      headers: { authorization: `Bearer ${signSessionToken({ shop: SHOP, apiKey: server.apiKey, secret: server.secret })}`, "user-agent": CHROME_UA },
    });
    const html = await page.text();
    expect(html).toContain("restock_alert (en)");
    expect(html).not.toContain("restock_no_link (en)");

    const accepted = await post("/app/campaigns/new", { name: "Spring", template: "restock_alert|en", "body.1": "Mugs", "body.2": "20%" });
    expect(accepted.status).toBe(302);
    expect(await prisma.campaign.count({ where: { shop: SHOP } })).toBe(1);
  });

  it("stores a valid form in the flow's own config shape", async () => {
    const response = await post("/app/flows/back_in_stock", backInStock());
    expect(response.status).toBe(200);
    const row = await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: SHOP, flow: "back_in_stock" } } });
    expect(row.enabled).toBe(true);
    expect(row.holdoutPercent).toBe(5);
    expect(row.config).toEqual({ templateName: "restock_alert", language: "en", messagesPerUnit: null, delayMinutes: 15, validHours: 24 });
  });

  it("stores appointment reminders as a list, naming the reminder that is out of range", async () => {
    const form = (hours: string[]) => ({
      enabled: "false",
      holdoutPercent: "0",
      "config.templateName": "visit_reminder|en",
      "config.bookingDateProperty": "Booking date",
      "config.bookingTimeProperty": "Booking time",
      reminderCount: String(hours.length),
      ...Object.fromEntries(hours.map((h, i) => [`config.reminders.${i}.hoursBefore`, h])),
    });
    const bad = await post("/app/flows/appointment", form(["24", "0.5"]));
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("at least 1 hour");
    expect(await prisma.flowSetting.count({ where: { shop: SHOP, flow: "appointment" } })).toBe(0);

    const good = await post("/app/flows/appointment", form(["3", "48"]));
    expect(good.status).toBe(200);
    await good.text();
    const row = await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: SHOP, flow: "appointment" } } });
    expect(row.config).toEqual({
      templateName: "visit_reminder",
      language: "en",
      reminders: [{ hoursBefore: 48 }, { hoursBefore: 3 }],
      bookingDateProperty: "Booking date",
      bookingTimeProperty: "Booking time",
    });
  });

  it("answers 404 for a flow that does not exist, and 400 for a toggle of one", async () => {
    const missing = await post("/app/flows/newsletter", backInStock());
    expect(missing.status).toBe(404);
    await missing.text();
    const toggle = await post("/app/flows?index", { flow: "newsletter", enabled: "true" });
    expect(toggle.status).toBe(400);
    await toggle.text();
    expect(await prisma.flowSetting.count({ where: { shop: SHOP, flow: { notIn: ["back_in_stock", "appointment", "reorder"] } } })).toBe(0);
  });
});
