import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { DESKTOP_CHROME_UA } from "../../fakes/shopify/app-proxy";
import { embeddedQuery, signSessionToken } from "../../fakes/shopify/session-token";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import prisma from "../../../app/db.server";
import { encryptSecret } from "../../../app/security/encryption.server";
import { createWhatsAppClient } from "../../../app/whatsapp/client.server";

/**
 * The template library over HTTP: the merchant submits it from the admin, the fake Cloud API
 * validates and reviews each template like Meta and delivers signed review webhooks, and the
 * admin shows the outcome; edits are checked before Meta sees them; quality updates are stored;
 * a webhook about one account's template changes nothing of another shop.
 */
const APP_SECRET = "library-app-secret";
const A = { shop: "library-alpha.myshopify.com", phoneNumberId: "5101", wabaId: "6101", accessToken: "EAAG-alpha", locale: "es" };
const B = { shop: "library-bravo.myshopify.com", phoneNumberId: "5102", wabaId: "6102", accessToken: "EAAG-bravo", locale: "en" };

let server: TestServer;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;
let fake: FakeWhatsApp;

const token = (shop: string) => signSessionToken({ shop, apiKey: server.apiKey, secret: server.secret });
function post(form: Record<string, string>, shop = A.shop) {
  return fetch(`${server.url}/app/templates`, {
    method: "POST",
    headers: { authorization: `Bearer ${token(shop)}`, "user-agent": DESKTOP_CHROME_UA, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
}
async function page(shop: string, language: string) {
  const response = await fetch(`${server.url}/app/templates?language=${language}&${embeddedQuery(shop, token(shop))}`, {
    headers: { authorization: `Bearer ${token(shop)}`, "user-agent": DESKTOP_CHROME_UA },
    redirect: "manual",
  });
  expect(response.status).toBe(200);
  return response.text();
}
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
const row = (shop: string, name: string, language: string) =>
  prisma.messageTemplate.findUniqueOrThrow({ where: { shop_name_language: { shop, name, language } } });

beforeAll(async () => {
  fake = await startFakeWhatsApp({ numbers: [A, B], appSecret: APP_SECRET });
  snapshot = snapshotBuild();
  server = await startTestServer({ DISPATCHER: "on", WHATSAPP_API_ORIGIN: fake.origin, WHATSAPP_APP_SECRET: APP_SECRET }, { root: snapshot.root });
  fake.setWebhookUrl(`${server.url}/whatsapp/webhook`);
  for (const s of [A, B]) {
    await prisma.shop.create({
      data: {
        shop: s.shop, name: s.shop, primaryLocale: s.locale, settings: { create: {} },
        connection: { create: { phoneNumberId: s.phoneNumberId, businessAccountId: s.wabaId, accessTokenEnc: encryptSecret(s.accessToken) } },
      },
    });
    await prisma.session.create({ data: { id: `offline_${s.shop}`, shop: s.shop, state: "", accessToken: "shpat_x", isOnline: false } });
  }
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  snapshot?.remove();
});

describe("template library", () => {
  it("submits the library in the store's language and English, and follows Meta's review to the admin", async () => {
    fake.review.rejectTemplates("store_offer", "INVALID_FORMAT", "es");
    const response = await post({ intent: "submit_all" });
    expect(response.status).toBe(200);
    const settled = await until(
      () => prisma.messageTemplate.findMany({ where: { shop: A.shop } }),
      (rows) => rows.length === 18 && rows.every((r) => r.status === "APPROVED" || r.status === "REJECTED"),
    );
    expect(settled).toHaveLength(18);
    expect(new Set(settled.map((r) => r.language))).toEqual(new Set(["es", "en"]));
    expect(settled.every((r) => r.origin === "library" && r.externalId)).toBe(true);
    expect(fake.review.submissions.filter((s) => s.outcome === "accepted" && s.kind === "create")).toHaveLength(18);
    const rejected = await row(A.shop, "store_offer", "es");
    expect(rejected).toMatchObject({ status: "REJECTED", rejectedReason: "INVALID_FORMAT" });
    expect((await row(A.shop, "optin_confirmation", "es")).category).toBe("UTILITY");
    const html = await page(A.shop, "es");
    expect(html).toContain("Rejected: INVALID_FORMAT");
    expect(html).toContain("Approved");
    // Nothing of another shop was submitted.
    expect(await prisma.messageTemplate.count({ where: { shop: B.shop } })).toBe(0);
  });

  it("sends an approved library template with exactly the parameters the flow fills", async () => {
    const client = createWhatsAppClient({ origin: fake.origin, version: "v23.0" });
    const sent = await client.sendTemplate(
      { phoneNumberId: A.phoneNumberId, businessAccountId: A.wabaId, accessToken: A.accessToken },
      { to: "+34600000001", templateName: "cart_reminder_3", language: "es", params: { body: ["Camisa", "30,00 €", "RB123"], buttons: [{ index: 0, type: "url", suffix: "tok" }] } },
    );
    expect(sent.waMessageId).toBeTruthy();
  });

  it("submits nothing twice: Submit all again, and a template Meta already holds", async () => {
    const before = fake.review.submissions.length;
    expect((await post({ intent: "submit_all" })).status).toBe(200);
    await until(() => prisma.task.count({ where: { shop: A.shop, kind: "templates.submit_library", status: { in: ["queued", "running"] } } }), (n) => n === 0);
    expect(fake.review.submissions.length).toBe(before);
    // Our copy lost (an answer that never arrived): Meta refuses the duplicate and a sync reads it back.
    await prisma.messageTemplate.delete({ where: { shop_name_language: { shop: A.shop, name: "cart_reminder_1", language: "en" } } });
    const again = await post({ intent: "submit", name: "cart_reminder_1", language: "en" });
    expect(again.status).toBe(409);
    expect(fake.review.submissions.at(-1)).toMatchObject({ name: "cart_reminder_1", outcome: "refused" });
    const back = await until(() => prisma.messageTemplate.findFirst({ where: { shop: A.shop, name: "cart_reminder_1", language: "en" } }), (r) => r?.status === "APPROVED");
    expect(back?.status).toBe("APPROVED");
    // An approved one cannot be submitted again.
    expect((await post({ intent: "submit", name: "cart_reminder_2", language: "en" })).status).toBe(409);
  });

  it("checks edited words before Meta sees them, and resubmits a rejected template as an edit", async () => {
    const before = fake.review.submissions.length;
    const original = await row(A.shop, "store_offer", "es");
    const bad = await post({ intent: "edit", name: "store_offer", language: "es", body: "¡Oferta! {{1}} solo hoy.", "button.0": "Ver", "button.1": "Detener promociones" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("{{2}}");
    const blank = await post({ intent: "edit", name: "store_offer", language: "es", body: "Hola {{2}}: {{1}} hoy.", "button.0": "", "button.1": "Detener promociones" });
    expect(blank.status).toBe(400);
    expect(fake.review.submissions.length).toBe(before);
    expect((await row(A.shop, "store_offer", "es")).components).toEqual(original.components);
    expect((await post({ intent: "edit", name: "no_such_template", language: "es", body: "x" })).status).toBe(404);
    expect((await post({ intent: "launch_rockets" })).status).toBe(400);

    fake.review.approveTemplates("store_offer", "es");
    const good = await post({ intent: "edit", name: "store_offer", language: "es", body: "Hola, en {{2}} tenemos algo para ti: {{1}}.", "button.0": "Ver oferta", "button.1": "Detener promociones" });
    expect(good.status).toBe(200);
    expect(fake.review.submissions.at(-1)).toMatchObject({ kind: "edit", outcome: "accepted", name: "store_offer" });
    const approved = await until(() => row(A.shop, "store_offer", "es"), (r) => r.status === "APPROVED");
    expect(approved).toMatchObject({ status: "APPROVED", rejectedReason: null });
    expect(JSON.stringify(approved.components)).toContain("tenemos algo para ti");
    expect(await page(A.shop, "es")).not.toContain("Rejected: INVALID_FORMAT");
  });

  it("refuses to change a template while Meta reviews it", async () => {
    fake.review.reviewDelayMs = null;
    const words = { "button.0": "Volver al carrito", "button.1": "Detener promociones" };
    expect((await post({ intent: "edit", name: "cart_reminder_1", language: "es", body: "Tu carrito con {{1}} ({{2}}) sigue aquí.", ...words })).status).toBe(200);
    expect((await row(A.shop, "cart_reminder_1", "es")).status).toBe("PENDING");
    const again = await post({ intent: "edit", name: "cart_reminder_1", language: "es", body: "Tu carrito: {{1}} ({{2}}) te espera.", ...words });
    expect(again.status).toBe(409);
    await fake.review.review(A.wabaId, "cart_reminder_1", "es");
    expect((await row(A.shop, "cart_reminder_1", "es")).status).toBe("APPROVED");
    fake.review.reviewDelayMs = 30;
  });

  it("stores quality updates and shows them; another account's webhooks change nothing here", async () => {
    await prisma.messageTemplate.create({
      data: { shop: B.shop, name: "cart_reminder_1", language: "en", category: "MARKETING", status: "PENDING", origin: "library", externalId: "999" },
    });
    const delivered = await fake.review.sendQuality(A.wabaId, "cart_reminder_1", "en", "YELLOW", "GREEN");
    expect(delivered.status).toBe(200);
    expect((await row(A.shop, "cart_reminder_1", "en")).quality).toBe("YELLOW");
    expect(await page(A.shop, "en")).toContain("Quality: Medium");
    await fake.sendTemplateStatus(A.wabaId, "cart_reminder_1", "en", "REJECTED", "SCAM");
    expect(await row(B.shop, "cart_reminder_1", "en")).toMatchObject({ status: "PENDING", quality: null, rejectedReason: null });
    // And B's account's webhook leaves A alone.
    await fake.review.sendQuality(B.wabaId, "cart_reminder_2", "en", "RED");
    expect((await row(A.shop, "cart_reminder_2", "en")).quality).toBeNull();
    // A malformed quality value is skipped, nothing stored.
    await fake.deliver(fake.envelope(A.wabaId, "message_template_quality_update", { new_quality_score: "PURPLE", message_template_id: 1, message_template_name: "cart_reminder_2", message_template_language: "en" }));
    expect((await row(A.shop, "cart_reminder_2", "en")).quality).toBeNull();
  });
});
