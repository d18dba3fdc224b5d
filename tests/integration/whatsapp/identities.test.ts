import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { makeBsuid } from "../../fakes/whatsapp/identities";
import { customersRedactPayload, shopifyNumericId, shopRedactPayload } from "../../fakes/shopify/payloads";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import { seedMessages, seedShop, TEMPLATES } from "../outbox/fixtures";
import prisma from "../../../app/db.server";
import { createDispatcher } from "../../../app/engine.server";
import { createWhatsAppClient } from "../../../app/whatsapp/client.server";

/**
 * Shoppers as Meta identifies them, over HTTP with Meta-signed webhooks: the wa_id Meta resolves
 * on each send, business-scoped user ids (BSUIDs) for shoppers who may arrive without a phone
 * number, and user_preferences (marketing stopped or resumed inside WhatsApp).
 */
const APP_SECRET = "identities-app-secret";
const seed = { shop: "wa-identities.myshopify.com", phoneNumberId: "7301", wabaId: "7401", token: "token-id" };
const STOP_BUTTON = { buttonPayload: "REBOUND_STOP", buttonText: "Stop promotions" };

let server: TestServer;
let fake: FakeWhatsApp;

beforeAll(async () => {
  server = await startTestServer({ WHATSAPP_APP_SECRET: APP_SECRET });
  fake = await startFakeWhatsApp({
    numbers: [{ phoneNumberId: seed.phoneNumberId, wabaId: seed.wabaId, accessToken: seed.token }],
    templates: { [seed.wabaId]: TEMPLATES.map((t) => ({ ...t })) },
    webhookUrl: `${server.url}/whatsapp/webhook`,
    appSecret: APP_SECRET,
  });
  // Caps high enough that each test's marketing is judged on consent alone.
  await seedShop(prisma, seed, { marketingCapPerDay: 50, marketingCapPerWeek: 50 });
  await prisma.flowSetting.create({
    data: { shop: seed.shop, flow: "promotion", enabled: true, config: { templateName: "spring_offer", language: "en" } },
  });
});

afterAll(async () => {
  await fake?.close();
  await server?.stop();
});

/** Sends every due message through the fake Cloud API, as the server's dispatcher would. */
async function dispatch() {
  const d = createDispatcher({ client: createWhatsAppClient({ origin: fake.origin, version: "v23.0" }), leaseMs: 30_000 });
  await d.runOnce();
}

/** A subscribed shopper with one message of `flow` waiting (due now unless `dueInMs`). */
async function shopperWith(flow: "optin_confirmation" | "promotion", dueInMs = 0) {
  const [notificationId] = await seedMessages(prisma, seed.shop, 1, flow);
  const row = await prisma.notification.update({
    where: { id: notificationId },
    data: { sendAt: new Date(Date.now() + dueInMs - 1000) },
    select: { subscriberId: true },
  });
  const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { id: row.subscriberId! } });
  // The opt-in their subscription stands on, as the ledger holds it.
  await prisma.consentEvent.create({
    data: { shop: seed.shop, subscriberId: subscriber.id, kind: "opt_in", source: "checkout", text: "WhatsApp offers", occurredAt: new Date(Date.now() - 86_400_000) },
  });
  return { subscriber, notificationId };
}

/** Another message for the same shopper (the subscriber seeded with it is left without one). */
async function another(subscriberId: string, flow: "optin_confirmation" | "promotion", dueInMs = 0) {
  const [id] = await seedMessages(prisma, seed.shop, 1, flow);
  await prisma.notification.update({ where: { id }, data: { subscriberId, sendAt: new Date(Date.now() + dueInMs - 1000) } });
  return id;
}

async function makeDue(notificationId: string) {
  await prisma.notification.updateMany({ where: { id: notificationId, status: "scheduled" }, data: { sendAt: new Date(Date.now() - 1000) } });
}

const sentTo = (notificationId: string) => fake.accepted.filter((m) => m.callbackData === notificationId).length;
const waMessageIdOf = async (notificationId: string) => (await prisma.notification.findUniqueOrThrow({ where: { id: notificationId } })).waMessageId!;

describe("the wa_id Meta resolves", () => {
  it("is kept on the send and the subscriber, and a reply from it is matched even where it differs from the number's digits", async () => {
    // Brazil: the number the shopper gave has the ninth digit, the WhatsApp account's wa_id does not.
    const phone = "+5511987654321";
    const waId = "551187654321";
    fake.setIdentity(phone, { waId });
    const { subscriber, notificationId } = await shopperWith("optin_confirmation");
    await prisma.subscriber.update({ where: { id: subscriber.id }, data: { phone, callingCode: "55", countryCode: "BR" } });
    await dispatch();
    expect(sentTo(notificationId)).toBe(1);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: notificationId } })).recipientWaId).toBe(waId);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).waId).toBe(waId);

    const promo = await another(subscriber.id, "promotion", 3_600_000);
    const subscribers = await prisma.subscriber.count({ where: { shop: seed.shop } });
    const answer = await fake.sendInbound(seed.phoneNumberId, phone, { text: "STOP" });
    expect(answer.status).toBe(200);
    // The reply's `from` is the wa_id, not the number's digits.
    const inbound = fake.webhookDeliveries.at(-1);
    expect(inbound?.status).toBe(200);
    const after = await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } });
    expect(after.status).toBe("unsubscribed");
    // Nobody was made up for "+551187654321".
    expect(await prisma.subscriber.count({ where: { shop: seed.shop } })).toBe(subscribers);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: promo } })).status).toBe("cancelled");
  });
});

describe("a STOP carrying only a business-scoped user id", () => {
  it("unsubscribes at once when the BSUID is already known", async () => {
    const { subscriber, notificationId } = await shopperWith("optin_confirmation");
    const bsuid = makeBsuid("ES");
    fake.setIdentity(subscriber.phone, { bsuid });
    await dispatch();
    // Meta's status names the recipient by wa_id and BSUID: the mapping is learned.
    expect((await fake.sendStatus(await waMessageIdOf(notificationId), "delivered")).status).toBe(200);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).bsuid).toBe(bsuid);

    const promo = await another(subscriber.id, "promotion", 3_600_000);
    // The shopper adopts a username: Meta withholds their number from what they send.
    fake.setIdentity(subscriber.phone, { bsuid, username: "ana.tea" });
    const payload = fake.inboundPayload(seed.phoneNumberId, subscriber.phone, STOP_BUTTON);
    const message = (payload.entry[0].changes[0].value as { messages: Array<Record<string, unknown>> }).messages[0];
    expect(message.from).toBeUndefined();
    expect(message.from_user_id).toBe(bsuid);
    expect((await fake.deliver(payload)).status).toBe(200);
    expect(fake.webhookDeliveries.at(-1)?.body).toEqual({ ok: true });

    const after = await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } });
    expect(after.status).toBe("unsubscribed");
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: promo } })).status).toBe("cancelled");
    // Meta's retry changes nothing more.
    expect((await fake.deliver(payload)).status).toBe(200);
    expect(await prisma.consentEvent.count({ where: { subscriberId: subscriber.id, kind: "opt_out" } })).toBe(1);
    await makeDue(promo);
    await dispatch();
    expect(sentTo(promo)).toBe(0);
  });

  it("is kept when the BSUID is unknown and applied the moment a webhook ties it to the shopper; no marketing goes out", async () => {
    const { subscriber, notificationId } = await shopperWith("optin_confirmation");
    const bsuid = makeBsuid("ES");
    fake.setIdentity(subscriber.phone, { bsuid });
    await dispatch();
    expect(sentTo(notificationId)).toBe(1);
    // Its status has not reached us yet: the shop knows the number, not the BSUID.
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).bsuid).toBeNull();
    const promo = await another(subscriber.id, "promotion", 3_600_000);

    fake.setIdentity(subscriber.phone, { bsuid, username: "bea.tea" });
    const stop = fake.inboundPayload(seed.phoneNumberId, subscriber.phone, { text: "STOP" });
    const stopId = (stop.entry[0].changes[0].value as { messages: Array<{ id: string }> }).messages[0].id;
    expect((await fake.deliver(stop)).status).toBe(200);
    expect(await prisma.identitySuppression.count({ where: { shop: seed.shop } })).toBe(1);
    // Kept as a keyed hash: the BSUID itself is stored nowhere.
    expect(JSON.stringify(await prisma.identitySuppression.findMany())).not.toContain(bsuid);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("subscribed");
    await dispatch();
    expect(sentTo(promo)).toBe(0); // not due yet: nothing went out in between

    // The late status of the earlier message carries recipient_id and recipient_user_id.
    expect((await fake.sendStatus(await waMessageIdOf(notificationId), "delivered")).status).toBe(200);
    const after = await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } });
    expect(after).toMatchObject({ status: "unsubscribed", bsuid });
    const optOut = await prisma.consentEvent.findFirstOrThrow({ where: { subscriberId: subscriber.id, kind: "opt_out" } });
    expect(optOut.source).toBe("whatsapp_reply");
    expect((optOut.context as { messageId?: string }).messageId).toBe(stopId);
    expect(await prisma.identitySuppression.count({ where: { shop: seed.shop } })).toBe(0);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: promo } })).status).toBe("cancelled");

    await makeDue(promo);
    await dispatch();
    expect(sentTo(promo)).toBe(0);
    // Meta's retry of the STOP, now that the BSUID is known, records nothing twice.
    expect((await fake.deliver(stop)).status).toBe(200);
    expect(await prisma.consentEvent.count({ where: { subscriberId: subscriber.id, kind: "opt_out" } })).toBe(1);
  });
});

describe("user_preferences", () => {
  it("stop holds marketing back at once, resume lets it go again; a replayed delivery is applied once", async () => {
    const { subscriber, notificationId: promo } = await shopperWith("promotion", 3_600_000);
    const stoppedAt = new Date(Date.now() - 60_000);
    const stop = fake.userPreferencesPayload(seed.phoneNumberId, subscriber.phone, "stop", stoppedAt);
    expect((await fake.deliver(stop)).status).toBe(200);
    expect((await fake.deliver(stop)).status).toBe(200);
    let row = await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } });
    expect(row.marketingStoppedAt?.getTime()).toBe(Math.floor(stoppedAt.getTime() / 1000) * 1000);
    expect(row.status).toBe("subscribed");
    expect(await prisma.consentEvent.count({ where: { subscriberId: subscriber.id, kind: "marketing_stopped" } })).toBe(1);

    await makeDue(promo);
    await dispatch();
    expect(sentTo(promo)).toBe(0);
    expect(await prisma.notification.findUniqueOrThrow({ where: { id: promo } })).toMatchObject({
      status: "skipped",
      decisionReason: "marketing_stopped_by_user",
    });
    // Utility messages are still allowed.
    const utility = await another(subscriber.id, "optin_confirmation");
    await dispatch();
    expect(sentTo(utility)).toBe(1);

    const resume = fake.userPreferencesPayload(seed.phoneNumberId, subscriber.phone, "resume");
    expect((await fake.deliver(resume)).status).toBe(200);
    expect((await fake.deliver(resume)).status).toBe(200);
    row = await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } });
    expect(row.marketingStoppedAt).toBeNull();
    expect(await prisma.consentEvent.count({ where: { subscriberId: subscriber.id, kind: "marketing_resumed" } })).toBe(1);
    // The stop delivered once more (Meta's retry, late) does not stop them again.
    expect((await fake.deliver(stop)).status).toBe(200);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).marketingStoppedAt).toBeNull();

    // The utility message went out a day ago, as far as the spacing between messages goes.
    await prisma.notification.update({ where: { id: utility }, data: { sentAt: new Date(Date.now() - 86_400_000) } });
    const next = await another(subscriber.id, "promotion");
    await dispatch();
    expect(await prisma.notification.findUniqueOrThrow({ where: { id: next } })).toMatchObject({ status: "sent", decisionReason: null });
    expect(sentTo(next)).toBe(1);
  });

  it("names a username shopper by BSUID alone, and a stop for an unknown BSUID waits for it", async () => {
    const { subscriber, notificationId } = await shopperWith("optin_confirmation");
    const bsuid = makeBsuid("MX");
    fake.setIdentity(subscriber.phone, { bsuid, username: "carla.tea" });
    await dispatch();
    const stop = fake.userPreferencesPayload(seed.phoneNumberId, subscriber.phone, "stop");
    const preference = (stop.entry[0].changes[0].value as { user_preferences: Array<Record<string, unknown>> }).user_preferences[0];
    expect(preference.wa_id).toBeUndefined();
    expect((await fake.deliver(stop)).status).toBe(200);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).marketingStoppedAt).toBeNull();

    expect((await fake.sendStatus(await waMessageIdOf(notificationId), "read")).status).toBe(200);
    const after = await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } });
    expect(after.bsuid).toBe(bsuid);
    expect(after.marketingStoppedAt).not.toBeNull();
    expect(after.status).toBe("subscribed");
  });

  it("skips a preference that names no shopper and applies the rest of the delivery", async () => {
    const { subscriber } = await shopperWith("optin_confirmation", 3_600_000);
    const good = fake.userPreferencesPayload(seed.phoneNumberId, subscriber.phone, "stop") as unknown as {
      entry: Array<{ changes: Array<{ field: string; value: Record<string, unknown> }> }>;
    };
    const bad = structuredClone(good.entry[0].changes[0]);
    (bad.value.user_preferences as Array<Record<string, unknown>>)[0] = { category: "marketing_messages", value: "stop", timestamp: 1 };
    good.entry[0].changes.unshift(bad);
    expect((await fake.deliver(good)).status).toBe(200);
    expect(fake.webhookDeliveries.at(-1)?.body).toEqual({ ok: true, skipped: 1 });
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).marketingStoppedAt).not.toBeNull();
  });
});

describe("erasure", () => {
  it("customers/redact removes the shopper's wa_id and BSUID everywhere; shop/redact removes kept BSUID stops", async () => {
    const phone = "+5521998765432";
    const waId = "552198765432";
    const bsuid = makeBsuid("BR");
    fake.setIdentity(phone, { waId, bsuid });
    const { subscriber, notificationId } = await shopperWith("optin_confirmation");
    await prisma.subscriber.update({ where: { id: subscriber.id }, data: { phone, callingCode: "55", countryCode: "BR" } });
    await dispatch();
    expect((await fake.sendStatus(await waMessageIdOf(notificationId), "delivered")).status).toBe(200);
    expect(await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).toMatchObject({ waId, bsuid });

    // A STOP from someone else the shop cannot place yet, kept for shop/redact below.
    fake.setIdentity("+34699000111", { bsuid: makeBsuid("ES"), username: "someone" });
    expect((await fake.sendInbound(seed.phoneNumberId, "+34699000111", { text: "STOP" })).status).toBe(200);
    expect(await prisma.identitySuppression.count({ where: { shop: seed.shop } })).toBe(1);

    const redact = await sendWebhook(server.url, server.secret, {
      topic: "customers/redact",
      shop: seed.shop,
      payload: customersRedactPayload({ shop: seed.shop, customer: { id: shopifyNumericId(), phone } }),
    });
    expect(redact.status).toBe(200);
    await waitFor(async () => (await prisma.subscriber.count({ where: { id: subscriber.id } })) === 0);
    expect(await rowsContaining([bsuid, waId])).toEqual({});

    await prisma.shop.update({ where: { shop: seed.shop }, data: { status: "uninstalled" } });
    const shopRedact = await sendWebhook(server.url, server.secret, { topic: "shop/redact", shop: seed.shop, payload: shopRedactPayload({ shop: seed.shop }) });
    expect(shopRedact.status).toBe(200);
    await waitFor(async () => (await prisma.identitySuppression.count({ where: { shop: seed.shop } })) === 0);
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 10_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every table, each row as text: where any of the needles still appears. */
async function rowsContaining(needles: string[]): Promise<Record<string, string[]>> {
  const tables = await prisma.$queryRaw<Array<{ table_name: string }>>`
    SELECT CAST(table_name AS text) AS table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`;
  const found: Record<string, string[]> = {};
  for (const { table_name } of tables) {
    if (table_name.startsWith("_")) continue;
    for (const needle of needles) {
      const [{ count }] = await prisma.$queryRawUnsafe<Array<{ count: bigint }>>(
        `SELECT count(*) AS count FROM "${table_name}" t WHERE t::text ILIKE $1`,
        `%${needle}%`,
      );
      if (Number(count) > 0) (found[table_name] ??= []).push(needle);
    }
  }
  return found;
}
