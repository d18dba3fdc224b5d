import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { signSessionToken } from "../../fakes/shopify/session-token";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";

/**
 * Connecting WhatsApp from the settings page: secrets are stored encrypted, templates are
 * synced, the test message goes through the app's WhatsApp client to the (fake) Cloud API,
 * and a rejected token pauses sending. Requests are made as App Bridge makes them: a bearer
 * session token and a browser's user agent.
 */
const SHOP = "connect-admin.myshopify.com";
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const NUMBER = { phoneNumberId: "1055501234", wabaId: "2055501234", accessToken: "EAAG-good-token" };

let server: TestServer;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;
let fake: FakeWhatsApp;
let prisma: typeof import("../../../app/db.server").default;

function post(form: Record<string, string>) {
  return fetch(`${server.url}/app/settings`, {
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

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  fake = await startFakeWhatsApp({
    numbers: [NUMBER],
    templates: {
      [NUMBER.wabaId]: [
        { name: "hello_shop", language: "en", category: "UTILITY", status: "APPROVED", components: [{ type: "BODY", text: "Hello from {{1}}" }] },
        { name: "cart_nudge", language: "en", category: "MARKETING", status: "APPROVED", components: [{ type: "BODY", text: "You left {{1}}" }] },
      ],
    },
  });
  snapshot = snapshotBuild();
  server = await startTestServer({ DISPATCHER: "on", WHATSAPP_API_ORIGIN: fake.origin }, { root: snapshot.root });
  prisma = (await import("../../../app/db.server")).default;
  await prisma.shop.create({ data: { shop: SHOP, name: "Connect", settings: { create: {} } } });
  await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", accessToken: "shpat_x", isOnline: false } });
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  snapshot?.remove();
});

describe("WhatsApp connection in settings", () => {
  it("refuses malformed ids with 422 and stores nothing", async () => {
    const response = await post({ intent: "connection", phoneNumberId: "abc", businessAccountId: NUMBER.wabaId, accessToken: "x" });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("Use the numeric phone number ID");
    expect(await prisma.whatsAppConnection.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("stores the token encrypted, syncs templates and sends a real test message", async () => {
    const saved = await post({
      intent: "connection",
      phoneNumberId: NUMBER.phoneNumberId,
      businessAccountId: NUMBER.wabaId,
      accessToken: NUMBER.accessToken,
    });
    expect(saved.status).toBe(200);
    expect(await saved.text()).not.toContain(NUMBER.accessToken);
    const row = await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(row.accessTokenEnc).not.toContain(NUMBER.accessToken);

    const templates = await until(() => prisma.messageTemplate.count({ where: { shop: SHOP, status: "APPROVED" } }), (n) => n === 2);
    expect(templates).toBe(2);

    const sent = await post({ intent: "test", to: "+34600111222", template: "hello_shop|en" });
    expect(sent.status).toBe(200);
    expect(fake.accepted).toHaveLength(1);
    expect(fake.accepted[0]).toMatchObject({ phoneNumberId: NUMBER.phoneNumberId, template: "hello_shop", language: "en" });
    expect(fake.accepted[0].to.replace(/^\+/, "")).toBe("34600111222");
    expect((await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } })).lastTestAt).not.toBeNull();
  });

  it("keeps the stored token when the field is left empty, and pauses sending when Meta rejects a new one", async () => {
    const before = (await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } })).accessTokenEnc;
    const kept = await post({ intent: "connection", phoneNumberId: NUMBER.phoneNumberId, businessAccountId: NUMBER.wabaId, accessToken: "" });
    expect(kept.status).toBe(200);
    expect((await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } })).accessTokenEnc).toBe(before);

    await post({ intent: "connection", phoneNumberId: NUMBER.phoneNumberId, businessAccountId: NUMBER.wabaId, accessToken: "EAAG-revoked" });
    const refused = await post({ intent: "test", to: "+34600111222", template: "hello_shop|en" });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("Reconnect WhatsApp in Settings");
    const shop = await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(shop.sendingPausedReason).toBe("whatsapp_token_invalid");
    expect((await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } })).status).toBe("token_invalid");
  });

  it("refuses a test message with a template that is not approved", async () => {
    await post({ intent: "connection", phoneNumberId: NUMBER.phoneNumberId, businessAccountId: NUMBER.wabaId, accessToken: NUMBER.accessToken });
    const response = await post({ intent: "test", to: "+34600111222", template: "no_such_template|en" });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("Choose an approved template");
  });
});
