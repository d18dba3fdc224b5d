import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { signSessionToken } from "../../fakes/shopify/session-token";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import prisma from "../../../app/db.server";

/**
 * Connecting WhatsApp from the settings page: Meta (the fake Cloud API) confirms the token reads
 * the account and the number is one of its numbers before anything is saved, a number another
 * store connected cannot be claimed, secrets are stored encrypted, templates are synced, the test message goes through the app's WhatsApp client to the (fake) Cloud API,
 * and a rejected token pauses sending. Requests are made as App Bridge makes them: a bearer
 * session token and a browser's user agent.
 */
const SHOP = "connect-admin.myshopify.com";
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const OTHER_SHOP = "connect-other.myshopify.com";
const THIRD_SHOP = "connect-third.myshopify.com";
const NUMBER = { phoneNumberId: "1055501234", wabaId: "2055501234", accessToken: "EAAG-good-token", displayPhoneNumber: "+34 910 555 123" };
/** A number in another business account, which NUMBER's token cannot read */
const ELSEWHERE = { phoneNumberId: "1055509999", wabaId: "2055509999", accessToken: "EAAG-elsewhere-token" };
/** A number two stores try to connect at the same moment */
const CONTESTED = { phoneNumberId: "1055507777", wabaId: "2055507777", accessToken: "EAAG-contested-token" };

let server: TestServer;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;
let fake: FakeWhatsApp;

function post(form: Record<string, string>, shop = SHOP) {
  return fetch(`${server.url}/app/settings`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${signSessionToken({ shop, apiKey: server.apiKey, secret: server.secret })}`,
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
    numbers: [NUMBER, ELSEWHERE, CONTESTED],
    templates: {
      [NUMBER.wabaId]: [
        { name: "hello_shop", language: "en", category: "UTILITY", status: "APPROVED", components: [{ type: "BODY", text: "Hello from {{1}}" }] },
        { name: "cart_nudge", language: "en", category: "MARKETING", status: "APPROVED", components: [{ type: "BODY", text: "You left {{1}}" }] },
      ],
    },
  });
  snapshot = snapshotBuild();
  server = await startTestServer({ DISPATCHER: "on", WHATSAPP_API_ORIGIN: fake.origin }, { root: snapshot.root });
  for (const shop of [SHOP, OTHER_SHOP, THIRD_SHOP]) {
    await prisma.shop.create({ data: { shop, name: "Connect", settings: { create: {} } } });
    await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", isOnline: false } });
  }
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

  it("refuses ids Meta does not confirm, on the field Meta refused, and stores nothing", async () => {
    const messages = [
      "This phone number ID is not in that WhatsApp Business account",
      "Meta says this access token cannot read that WhatsApp Business account",
      "Meta did not accept this access token",
    ];
    const attempts: Array<[Record<string, string>, string]> = [
      [{ phoneNumberId: ELSEWHERE.phoneNumberId, businessAccountId: NUMBER.wabaId, accessToken: NUMBER.accessToken }, messages[0]],
      [{ phoneNumberId: NUMBER.phoneNumberId, businessAccountId: ELSEWHERE.wabaId, accessToken: NUMBER.accessToken }, messages[1]],
      [{ phoneNumberId: NUMBER.phoneNumberId, businessAccountId: NUMBER.wabaId, accessToken: "EAAG-made-up" }, messages[2]],
    ];
    for (const [ids, message] of attempts) {
      const response = await post({ intent: "connection", ...ids });
      expect(response.status).toBe(422);
      const page = await response.text();
      expect(messages.filter((m) => page.includes(m))).toEqual([message]);
    }
    expect(await prisma.whatsAppConnection.count()).toBe(0);
    expect(await prisma.task.count({ where: { shop: SHOP } })).toBe(0);
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

  it("keeps the stored token when the field is left empty, and refuses a token Meta rejects", async () => {
    const before = await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } });
    const kept = await post({ intent: "connection", phoneNumberId: NUMBER.phoneNumberId, businessAccountId: NUMBER.wabaId, accessToken: "" });
    expect(kept.status).toBe(200);
    expect((await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } })).accessTokenEnc).toBe(before.accessTokenEnc);
    // Meta's own display number fills the field the merchant left empty.
    expect(before.displayPhoneNumber).toBe(NUMBER.displayPhoneNumber);

    const refused = await post({ intent: "connection", phoneNumberId: NUMBER.phoneNumberId, businessAccountId: NUMBER.wabaId, accessToken: "EAAG-revoked" });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("Meta did not accept this access token");
    const after = await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(after.accessTokenEnc).toBe(before.accessTokenEnc);
    expect(after.status).toBe("healthy");
  });

  it("pauses sending when Meta rejects the stored token at send time", async () => {
    NUMBER.accessToken = "EAAG-rotated-in-meta";
    try {
      const refused = await post({ intent: "test", to: "+34600111222", template: "hello_shop|en" });
      expect(refused.status).toBe(422);
      expect(await refused.text()).toContain("Reconnect WhatsApp in Settings");
      const shop = await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } });
      expect(shop.sendingPausedReason).toBe("whatsapp_token_invalid");
      expect((await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } })).status).toBe("token_invalid");
    } finally {
      NUMBER.accessToken = "EAAG-good-token";
    }
  });

  it("refuses a test message with a template that is not approved", async () => {
    await post({ intent: "connection", phoneNumberId: NUMBER.phoneNumberId, businessAccountId: NUMBER.wabaId, accessToken: NUMBER.accessToken });
    const response = await post({ intent: "test", to: "+34600111222", template: "no_such_template|en" });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("Choose an approved template");
  });

  it("refuses a number already connected to another store, whatever the token", async () => {
    const owner = await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } });
    const claim = await post({ intent: "connection", phoneNumberId: NUMBER.phoneNumberId, businessAccountId: NUMBER.wabaId, accessToken: NUMBER.accessToken }, OTHER_SHOP);
    expect(claim.status).toBe(422);
    expect(await claim.text()).toContain("This number is connected to another store");
    expect(await prisma.whatsAppConnection.count({ where: { shop: OTHER_SHOP } })).toBe(0);
    expect(await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } })).toEqual(owner);

    // Without a token that reads the number, Meta refuses first and nothing says who has it.
    const guess = await post({ intent: "connection", phoneNumberId: NUMBER.phoneNumberId, businessAccountId: NUMBER.wabaId, accessToken: ELSEWHERE.accessToken }, OTHER_SHOP);
    expect(guess.status).toBe(422);
    expect(await guess.text()).not.toContain("another store");
  });

  it("connects a number two stores save at once to exactly one of them", async () => {
    const form = { intent: "connection", phoneNumberId: CONTESTED.phoneNumberId, businessAccountId: CONTESTED.wabaId, accessToken: CONTESTED.accessToken };
    const answers = await Promise.all([post(form, OTHER_SHOP), post(form, THIRD_SHOP)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 422]);
    const refused = answers.find((a) => a.status === 422)!;
    expect(await refused.text()).toContain("This number is connected to another store");
    expect(await prisma.whatsAppConnection.count({ where: { phoneNumberId: CONTESTED.phoneNumberId } })).toBe(1);
  });
});
