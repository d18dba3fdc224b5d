import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { signSessionToken } from "../../fakes/shopify/session-token";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import { TEMPLATES, seedMessages } from "../outbox/fixtures";
import { decryptSecret } from "../../../app/security/encryption.server";
import prisma from "../../../app/db.server";

/**
 * Embedded Signup over HTTP against the fake Graph API: the admin posts the code FB.login gave
 * and the session-info ids, as the settings page does; the server exchanges the code with the
 * platform's Meta app, subscribes the app, registers the number, stores token and PIN encrypted.
 * A bad, expired or reused code, a claimed number, or a refusal from Meta saves nothing.
 * Disconnecting undoes it at Meta and stops sending.
 */
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SHOP = "signup-admin.myshopify.com";
const OTHER = "signup-other.myshopify.com";
const APP_ID = "731000000000001";
const APP_SECRET = "signup-test-app-secret";
const NUMBER = { phoneNumberId: "1077701234", wabaId: "2077701234", accessToken: "EAAG-merchant-own-token", displayPhoneNumber: "+34 910 777 123" };
const MANUAL = { phoneNumberId: "1077709999", wabaId: "2077709999", accessToken: "EAAG-merchant-app-token" };
const THIRD = "signup-manual.myshopify.com";
const SECOND = { phoneNumberId: "1077705678", wabaId: "2077705678", accessToken: "EAAG-second-token", displayPhoneNumber: "+34 910 777 567" };

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

const signup = (code: string, number: { phoneNumberId: string; wabaId: string }, shop = SHOP) =>
  post({ intent: "signup", code, phoneNumberId: number.phoneNumberId, businessAccountId: number.wabaId }, shop);

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function nothingSaved(shop: string) {
  expect(await prisma.whatsAppConnection.count({ where: { shop } })).toBe(0);
}

beforeAll(async () => {
  fake = await startFakeWhatsApp({ numbers: [NUMBER, SECOND, MANUAL], templates: { [NUMBER.wabaId]: TEMPLATES, [SECOND.wabaId]: TEMPLATES }, appId: APP_ID, appSecret: APP_SECRET });
  snapshot = snapshotBuild();
  server = await startTestServer(
    { DISPATCHER: "on", WHATSAPP_API_ORIGIN: fake.origin, WHATSAPP_APP_ID: APP_ID, WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_SIGNUP_CONFIG_ID: "5550001" },
    { root: snapshot.root },
  );
  for (const shop of [SHOP, OTHER, THIRD]) {
    await prisma.shop.create({ data: { shop, name: "Signup", settings: { create: { quietHoursEnabled: false, messagingLimitTier: 0 } } } });
    await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", isOnline: false } });
  }
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  snapshot?.remove();
});

describe("Embedded Signup", () => {
  it("refuses a code Meta never issued, and a malformed form, saving nothing", async () => {
    const unknown = await signup("AQ-not-a-code", NUMBER);
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain("Meta did not accept the sign-in");
    const malformed = await post({ intent: "signup", code: "", phoneNumberId: "x", businessAccountId: NUMBER.wabaId });
    expect(malformed.status).toBe(422);
    await nothingSaved(SHOP);
    expect(fake.signup.isSubscribed(NUMBER.wabaId)).toBe(false);
    expect(fake.signup.registrations.size).toBe(0);
  });

  it("refuses an expired code and a used one", async () => {
    const expired = fake.signup.issueCode(NUMBER.phoneNumberId).code;
    fake.signup.clock = () => Date.now() + 31_000;
    try {
      expect((await signup(expired, NUMBER)).status).toBe(422);
    } finally {
      fake.signup.clock = Date.now;
    }
    // Exchanged once already (a replayed request): Meta refuses it the second time.
    const used = fake.signup.issueCode(NUMBER.phoneNumberId).code;
    const first = await fetch(`${fake.origin}/v23.0/oauth/access_token?${new URLSearchParams({ client_id: APP_ID, client_secret: APP_SECRET, code: used })}`);
    expect(first.status).toBe(200);
    const again = await signup(used, NUMBER);
    expect(again.status).toBe(422);
    expect(await again.text()).toContain("valid for 30 seconds and once");
    await nothingSaved(SHOP);
    expect(fake.signup.isSubscribed(NUMBER.wabaId)).toBe(false);
  });

  it("undoes the subscription when Meta refuses to register the number", async () => {
    fake.signup.refuseNext("register", 100);
    const answer = await signup(fake.signup.issueCode(NUMBER.phoneNumberId).code, NUMBER);
    expect(answer.status).toBe(422);
    expect(await answer.text()).toContain("Meta refused to register the number");
    await nothingSaved(SHOP);
    expect(fake.signup.calls.map((c) => `${c.step}:${c.status}`).slice(-3)).toEqual(["subscribe:200", "register:400", "unsubscribe:200"]);
    expect(fake.signup.isSubscribed(NUMBER.wabaId)).toBe(false);
  });

  it("exchanges the code, subscribes the app, registers the number and stores the token encrypted", async () => {
    const answer = await signup(fake.signup.issueCode(NUMBER.phoneNumberId).code, NUMBER);
    expect(answer.status).toBe(200);
    const row = await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(row).toMatchObject({ phoneNumberId: NUMBER.phoneNumberId, businessAccountId: NUMBER.wabaId, connectedVia: "signup", status: "healthy", displayPhoneNumber: NUMBER.displayPhoneNumber });
    // The business token Meta issued for the code, stored as an envelope, not as itself.
    const issued = (NUMBER as { grantedTokens?: string[] }).grantedTokens!.at(-1)!;
    expect(row.accessTokenEnc).toMatch(/^v1\.k1\./);
    expect(row.accessTokenEnc).not.toContain(issued);
    expect(decryptSecret(row.accessTokenEnc)).toBe(issued);
    // The PIN the number was registered with, also an envelope.
    const pin = fake.signup.registrations.get(NUMBER.phoneNumberId)!;
    expect(pin).toMatch(/^\d{6}$/);
    expect(row.registrationPinEnc).not.toContain(pin);
    expect(decryptSecret(row.registrationPinEnc!)).toBe(pin);
    expect(fake.signup.isSubscribed(NUMBER.wabaId)).toBe(true);
    // The page never carries the token.
    const page = await fetch(`${server.url}/app/settings`, {
      headers: { authorization: `Bearer ${signSessionToken({ shop: SHOP, apiKey: server.apiKey, secret: server.secret })}`, "user-agent": CHROME_UA },
    });
    const text = await page.text();
    expect(text).toContain(NUMBER.phoneNumberId);
    expect(text).not.toContain(issued);
    expect(text).not.toContain(APP_SECRET);
    // Templates come in with the new token, and a message goes out with it.
    const synced = await until(() => prisma.messageTemplate.count({ where: { shop: SHOP } }), (n) => n === TEMPLATES.length);
    expect(synced).toBe(TEMPLATES.length);
    const [id] = await seedMessages(prisma, SHOP, 1);
    const sent = await until(() => prisma.notification.findUniqueOrThrow({ where: { id } }), (n) => n.status !== "scheduled" && n.status !== "sending");
    expect(sent.status).toBe("sent");
    expect(fake.accepted.some((m) => m.callbackData === id && m.phoneNumberId === NUMBER.phoneNumberId)).toBe(true);
  });

  it("refuses a number another store connected, before touching Meta's setup", async () => {
    const before = fake.signup.calls.length;
    const answer = await signup(fake.signup.issueCode(NUMBER.phoneNumberId).code, NUMBER, OTHER);
    expect(answer.status).toBe(422);
    expect(await answer.text()).toContain("connected to another store");
    await nothingSaved(OTHER);
    // Only the code exchange happened: no subscription, registration or undo of the owner's.
    expect(fake.signup.calls.slice(before).map((c) => c.step)).toEqual(["exchange"]);
    expect(fake.signup.isSubscribed(NUMBER.wabaId)).toBe(true);
  });

  it("disconnects: deregisters, unsubscribes, deletes the token, and scheduled messages wait", async () => {
    const answer = await post({ intent: "disconnect" });
    expect(answer.status).toBe(200);
    const said = await answer.text();
    expect(said).toContain("WhatsApp disconnected. Sending is paused.");
    expect(said).not.toContain("Meta did not confirm everything");
    expect(fake.signup.isSubscribed(NUMBER.wabaId)).toBe(false);
    expect(fake.signup.registrations.has(NUMBER.phoneNumberId)).toBe(false);
    await nothingSaved(SHOP);
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).sendingPausedReason).toBe("whatsapp_disconnected");

    const acceptedBefore = fake.accepted.length;
    const [id] = await seedMessages(prisma, SHOP, 1);
    const held = await until(() => prisma.notification.findUniqueOrThrow({ where: { id } }), (n) => n.decisionReason !== null);
    expect(held.status).toBe("scheduled");
    expect(held.decisionReason).toBe("shop_paused:whatsapp_disconnected");
    expect(fake.accepted.length).toBe(acceptedBefore);
  });

  it("says what Meta did not undo, and is disconnected anyway", async () => {
    expect((await signup(fake.signup.issueCode(SECOND.phoneNumberId).code, SECOND, OTHER)).status).toBe(200);
    fake.signup.refuseNext("unsubscribe", 2);
    const answer = await post({ intent: "disconnect" }, OTHER);
    expect(answer.status).toBe(200);
    const said = await answer.text();
    expect(said).toContain("Meta did not confirm everything");
    expect(said).toContain("is still subscribed to the account");
    expect(said).not.toContain("still registered for the Cloud API");
    await nothingSaved(OTHER);
    expect(fake.signup.registrations.has(SECOND.phoneNumberId)).toBe(false);
    expect(fake.signup.isSubscribed(SECOND.wabaId)).toBe(true);
    // Connecting again clears the pause.
    expect((await signup(fake.signup.issueCode(SECOND.phoneNumberId).code, SECOND, OTHER)).status).toBe(200);
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: OTHER } })).sendingPausedReason).toBeNull();
  });

  it("disconnects a manual connection without asking Meta to undo what the merchant set up", async () => {
    const saved = await post({ intent: "connection", phoneNumberId: MANUAL.phoneNumberId, businessAccountId: MANUAL.wabaId, accessToken: MANUAL.accessToken }, THIRD);
    expect(saved.status).toBe(200);
    expect((await prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: THIRD } })).connectedVia).toBe("manual");
    const before = fake.signup.calls.length;
    const answer = await post({ intent: "disconnect" }, THIRD);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain("WhatsApp disconnected. Sending is paused.");
    expect(fake.signup.calls.length).toBe(before);
    await nothingSaved(THIRD);
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: THIRD } })).sendingPausedReason).toBe("whatsapp_disconnected");
    // A second disconnect has nothing to act on.
    expect((await post({ intent: "disconnect" }, THIRD)).status).toBe(422);
  });
});
