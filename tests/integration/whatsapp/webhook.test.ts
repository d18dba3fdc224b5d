import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { startTestServer, type TestServer } from "../../support/server";
import { seedMessages, seedShop, TEMPLATES } from "../outbox/fixtures";
import prisma from "../../../app/db.server";
import { createDispatcher } from "../../../app/engine.server";
import { createWhatsAppClient } from "../../../app/whatsapp/client.server";

const APP_SECRET = "meta-app-secret";
const main = { shop: "wa-webhook.myshopify.com", phoneNumberId: "3001", wabaId: "4001", token: "token-w" };
const other = { shop: "other-store.myshopify.com", phoneNumberId: "3002", wabaId: "4002", token: "token-o" };
/** A secret a merchant made up (say, their own dev store's Meta app): it signs nothing of ours. */
const MERCHANT_SECRET = "merchant-chosen-secret";

let server: TestServer;
let fake: FakeWhatsApp;
/** Signs exactly as Meta does, with the merchant's secret instead of Rebound's app secret. */
let forger: FakeWhatsApp;
let sendOne: (shop: string, flow?: "optin_confirmation" | "promotion") => Promise<{ id: string; waMessageId: string }>;

beforeAll(async () => {
  server = await startTestServer({ WHATSAPP_APP_SECRET: APP_SECRET });
  const webhookUrl = `${server.url}/whatsapp/webhook`;
  const numbers = [main, other].map((s) => ({ phoneNumberId: s.phoneNumberId, wabaId: s.wabaId, accessToken: s.token }));
  const templates = () => ({ [main.wabaId]: TEMPLATES.map((t) => ({ ...t })), [other.wabaId]: TEMPLATES.map((t) => ({ ...t })) });
  fake = await startFakeWhatsApp({ numbers, templates: templates(), webhookUrl, appSecret: APP_SECRET });
  forger = await startFakeWhatsApp({ numbers, templates: templates(), webhookUrl, appSecret: MERCHANT_SECRET });
  await seedShop(prisma, main);
  await seedShop(prisma, other);
  await prisma.flowSetting.create({
    data: { shop: main.shop, flow: "promotion", enabled: true, config: { templateName: "spring_offer", language: "en" } },
  });

  sendOne = async (shop, flow = "optin_confirmation") => {
    const [id] = await seedMessages(prisma, shop, 1, flow);
    const d = createDispatcher({ client: createWhatsAppClient({ origin: fake.origin, version: "v23.0" }), leaseMs: 30_000 });
    await d.runOnce();
    const row = await prisma.notification.findUniqueOrThrow({ where: { id } });
    if (!row.waMessageId) throw new Error(`not sent: ${row.status} ${row.decisionReason}`);
    return { id, waMessageId: row.waMessageId };
  };
});

afterAll(async () => {
  await fake?.close();
  await forger?.close();
  await server?.stop();
});

async function sendMany(shop: string, count: number) {
  const sent: Array<{ id: string; waMessageId: string }> = [];
  for (let i = 0; i < count; i++) sent.push(await sendOne(shop));
  return sent;
}

interface StatusEnvelope {
  entry: Array<{ changes: Array<{ value: { metadata: { phone_number_id: string }; statuses: Array<Record<string, unknown> & { id: string }> } }> }>;
}

describe("WhatsApp webhook", () => {
  it("refuses a status update with a bad or missing signature and stores nothing", async () => {
    const { id, waMessageId } = await sendOne(main.shop);
    const payload = fake.statusPayload(waMessageId, "delivered");
    const receipts = await prisma.webhookReceipt.count();
    const bad = await fake.deliver(payload, { signature: "sha256=" + "0".repeat(64) });
    expect(bad.status).toBe(401);
    const missing = await fake.deliver(payload, { signature: null });
    expect(missing.status).toBe(401);
    const otherSecret = await forger.deliver(payload);
    expect(otherSecret.status).toBe(401);
    expect(await prisma.webhookReceipt.count()).toBe(receipts);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id } })).status).toBe("sent");
  });

  it("answers 400 to a signed body that is not a WhatsApp notification, and stores nothing", async () => {
    const receipts = await prisma.webhookReceipt.count();
    const notJson = await fake.deliver(null, { rawBody: "{not json" });
    expect(notJson.status).toBe(400);
    const notAnAccount = await fake.deliver({ object: "page", entry: [{ id: main.wabaId, changes: [] }] });
    expect(notAnAccount.status).toBe(400);
    expect(await prisma.webhookReceipt.count()).toBe(receipts);
  });

  it("applies the good changes of a delivery and skips the one it cannot read", async () => {
    const { id, waMessageId } = await sendOne(main.shop);
    const good = fake.statusPayload(waMessageId, "delivered") as unknown as StatusEnvelope & { entry: Array<{ id: string; changes: unknown[] }> };
    // A messages change without its metadata (which names the number) cannot be routed to a shop.
    good.entry[0].changes.unshift({ field: "messages", value: { messaging_product: "whatsapp", statuses: [] } });
    const answer = await fake.deliver(good);
    expect(answer.status).toBe(200);
    expect(fake.webhookDeliveries.at(-1)?.body).toEqual({ ok: true, skipped: 1 });
    const row = await prisma.notification.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("delivered");
  });

  it("never moves a status backwards, and applies a replayed delivery once", async () => {
    const { id, waMessageId } = await sendOne(main.shop);
    expect((await fake.sendStatus(waMessageId, "read")).status).toBe(200);
    expect((await fake.sendStatus(waMessageId, "delivered")).status).toBe(200);
    expect((await fake.sendStatus(waMessageId, "sent")).status).toBe(200);
    expect((await fake.sendStatus(waMessageId, "read")).status).toBe(200);
    const row = await prisma.notification.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("read");
    expect(row.readAt).not.toBeNull();
    expect(row.deliveredAt).not.toBeNull();
    expect(await prisma.notificationEvent.count({ where: { notificationId: id, kind: "read" } })).toBe(1);
    expect(await prisma.notificationEvent.count({ where: { notificationId: id, kind: "delivered" } })).toBe(0);
  });

  it("applies several statuses of one message delivered together, in any order, each once", async () => {
    const { id, waMessageId } = await sendOne(main.shop);
    const statuses = (["read", "sent", "delivered", "read"] as const).map(
      (status) => (fake.statusPayload(waMessageId, status) as unknown as StatusEnvelope).entry[0].changes[0].value.statuses[0],
    );
    const payload = fake.statusPayload(waMessageId, "sent") as unknown as StatusEnvelope;
    payload.entry[0].changes[0].value.statuses = statuses;
    expect((await fake.deliver(payload)).status).toBe(200);
    const row = await prisma.notification.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("read");
    expect(row.deliveredAt).not.toBeNull();
    expect(await prisma.notificationEvent.count({ where: { notificationId: id, kind: "read" } })).toBe(1);
    expect(await prisma.webhookReceipt.count({ where: { eventId: { startsWith: `wa:status:${waMessageId}:` } } })).toBe(3);
  });

  it("applies many statuses arriving at once, of many messages, each once", async () => {
    const sent = await sendMany(main.shop, 12);
    const deliveries = sent.flatMap(({ waMessageId }) => (["delivered", "read", "delivered"] as const).map((status) => fake.sendStatus(waMessageId, status)));
    expect((await Promise.all(deliveries)).map((r) => r.status)).toEqual(deliveries.map(() => 200));
    const ids = sent.map((m) => m.id);
    const rows = await prisma.notification.findMany({ where: { id: { in: ids } } });
    expect(rows.map((r) => r.status)).toEqual(ids.map(() => "read"));
    expect(await prisma.notificationEvent.count({ where: { notificationId: { in: ids }, kind: "delivered" } })).toBeLessThanOrEqual(ids.length);
    expect(await prisma.notificationEvent.count({ where: { notificationId: { in: ids }, kind: "read" } })).toBe(ids.length);
  });

  it("a status the database refuses fails only its own delivery", async () => {
    const good = await sendMany(main.shop, 6);
    const bad = await sendOne(main.shop);
    // PostgreSQL stores no NUL character in text: this one cannot be written.
    const refused = fake.sendStatus(bad.waMessageId, "failed", { code: 131026, title: "Message\u0000undeliverable" });
    const answers = await Promise.all([refused, ...good.map(({ waMessageId }) => fake.sendStatus(waMessageId, "delivered"))]);
    expect(answers.map((r) => r.status)).toEqual([500, ...good.map(() => 200)]);
    const rows = await prisma.notification.findMany({ where: { id: { in: good.map((m) => m.id) } } });
    expect(rows.map((r) => r.status)).toEqual(good.map(() => "delivered"));
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: bad.id } })).status).toBe("sent");
    // Not recorded as received: Meta's retry is not mistaken for a duplicate.
    expect(await prisma.webhookReceipt.count({ where: { eventId: `wa:status:${bad.waMessageId}:failed` } })).toBe(0);
  });

  it("records no receipt for a message it does not know, or for a number no shop owns", async () => {
    const { waMessageId } = await sendOne(main.shop);
    const unknown = fake.statusPayload(waMessageId, "delivered") as unknown as StatusEnvelope;
    const status = unknown.entry[0].changes[0].value.statuses[0];
    status.id = "wamid.not-ours";
    delete status.biz_opaque_callback_data;
    const receipts = await prisma.webhookReceipt.count();
    expect((await fake.deliver(unknown)).status).toBe(200);
    const strange = fake.statusPayload(waMessageId, "read") as unknown as StatusEnvelope;
    strange.entry[0].changes[0].value.metadata.phone_number_id = "3999";
    expect((await fake.deliver(strange)).status).toBe(200);
    expect(await prisma.webhookReceipt.count()).toBe(receipts);
    expect((await prisma.notification.findFirstOrThrow({ where: { waMessageId } })).status).toBe("sent");
  });

  it("keeps Meta's error on a failed message, and a late failure does not undo a delivery", async () => {
    const { id, waMessageId } = await sendOne(main.shop);
    await fake.sendStatus(waMessageId, "failed", { code: 131026, title: "Message undeliverable", details: "Unable to deliver message." });
    const row = await prisma.notification.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "failed", errorCode: 131026, errorTitle: "Message undeliverable", errorDetails: "Unable to deliver message." });

    const second = await sendOne(main.shop);
    await fake.sendStatus(second.waMessageId, "delivered");
    await fake.sendStatus(second.waMessageId, "failed", { code: 131026 });
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: second.id } })).status).toBe("delivered");
  });

  it("finds a message whose send is not recorded yet by its callback data", async () => {
    const { id, waMessageId } = await sendOne(main.shop);
    // As if the worker had not yet written WhatsApp's answer: the row is still being sent.
    await prisma.notification.update({ where: { id }, data: { status: "sending", waMessageId: null, leaseOwner: "w1", leaseUntil: new Date(Date.now() + 60_000) } });
    await fake.sendStatus(waMessageId, "delivered");
    const row = await prisma.notification.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("delivered");
    expect(row.waMessageId).toBe(waMessageId);
  });

  it("131050 in a failed status stops marketing to that shopper", async () => {
    const { id, waMessageId } = await sendOne(main.shop);
    await fake.sendStatus(waMessageId, "failed", { code: 131050 });
    const row = await prisma.notification.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("failed");
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { id: row.subscriberId! } });
    expect(subscriber.marketingStoppedAt).not.toBeNull();
  });

  it("131049 in a failed status puts the message back on the schedule no sooner than 24 h later", async () => {
    const { id, waMessageId } = await sendOne(main.shop);
    const before = Date.now();
    await fake.sendStatus(waMessageId, "failed", { code: 131049 });
    const row = await prisma.notification.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "scheduled", waMessageId: null, decision: "defer", decisionReason: "meta_marketing_limit", errorCode: 131049 });
    expect(row.sendAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 24 * 3_600_000);
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { id: row.subscriberId! } });
    expect(subscriber.marketingBlockedUntil!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 24 * 3_600_000);
    // The same failure delivered again changes nothing more.
    await fake.sendStatus(waMessageId, "failed", { code: 131049 });
    expect(await prisma.notificationEvent.count({ where: { notificationId: id, kind: "retry_scheduled" } })).toBe(1);
  });

  it("refuses a delivery a merchant signed with their own secret naming another store's number, and changes nothing", async () => {
    const subscribed = await prisma.subscriber.create({ data: { shop: other.shop, phone: "+34600000101", callingCode: "34", status: "subscribed" } });
    const pending = await prisma.subscriber.create({ data: { shop: other.shop, phone: "+34600000102", callingCode: "34", status: "pending" } });
    const receipts = await prisma.webhookReceipt.count();
    const forged = [
      await forger.sendInbound(other.phoneNumberId, subscribed.phone, { buttonPayload: "REBOUND_STOP", buttonText: "Stop promotions" }),
      await forger.sendInbound(other.phoneNumberId, pending.phone, { text: "YES" }),
      await forger.sendTemplateStatus(other.wabaId, "spring_offer", "en", "DISABLED", "POLICY_VIOLATION"),
      await forger.sendTemplateCategory(other.wabaId, "optin_confirmation", "en", "MARKETING"),
      // The merchant's own account on the entry, the other store's number in the change.
      await forger.deliver({
        object: "whatsapp_business_account",
        entry: [{
          id: main.wabaId,
          changes: [{
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550000000", phone_number_id: other.phoneNumberId },
              messages: [{ from: subscribed.phone.slice(1), id: "wamid.forged-stop", timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "STOP" } }],
            },
          }],
        }],
      }),
    ];
    expect(forged.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);

    expect(await prisma.webhookReceipt.count()).toBe(receipts);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscribed.id } })).status).toBe("subscribed");
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("pending");
    expect(await prisma.consentEvent.count({ where: { shop: other.shop } })).toBe(0);
    const templates = await prisma.messageTemplate.findMany({ where: { shop: other.shop }, orderBy: { name: "asc" } });
    expect(templates.map((t) => [t.name, t.status, t.category])).toEqual([
      ["optin_confirmation", "APPROVED", "UTILITY"],
      ["spring_offer", "APPROVED", "MARKETING"],
    ]);

    // The same replies signed with Rebound's Meta app secret are applied.
    expect((await fake.sendInbound(other.phoneNumberId, subscribed.phone, { buttonPayload: "REBOUND_STOP", buttonText: "Stop promotions" })).status).toBe(200);
    expect((await fake.sendInbound(other.phoneNumberId, pending.phone, { text: "YES" })).status).toBe(200);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscribed.id } })).status).toBe("unsubscribed");
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("subscribed");
  });

  it("applies a status only to the shop that owns the reporting phone number", async () => {
    const { id, waMessageId } = await sendOne(main.shop);
    const payload = fake.statusPayload(waMessageId, "read") as unknown as { entry: Array<{ changes: Array<{ value: { metadata: { phone_number_id: string } } }> }> };
    payload.entry[0].changes[0].value.metadata.phone_number_id = other.phoneNumberId;
    expect((await fake.deliver(payload)).status).toBe(200);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id } })).status).toBe("sent");
  });

  it("hands a STOP reply to the consent module", async () => {
    const { id } = await sendOne(main.shop);
    const row = await prisma.notification.findUniqueOrThrow({ where: { id }, select: { subscriberId: true } });
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { id: row.subscriberId! } });
    const later = await seedMessages(prisma, main.shop, 1);
    await prisma.notification.update({ where: { id: later[0] }, data: { subscriberId: subscriber.id, sendAt: new Date(Date.now() + 3_600_000) } });
    const response = await fake.sendInbound(main.phoneNumberId, subscriber.phone, { buttonPayload: "REBOUND_STOP", buttonText: "Stop promotions" });
    expect(response.status).toBe(200);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("unsubscribed");
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: later[0] } })).status).toBe("cancelled");
  });

  it("records a recategorised template and pauses the flow that can no longer use it", async () => {
    const response = await fake.sendTemplateCategory(main.wabaId, "spring_offer", "en", "UTILITY");
    expect(response.status).toBe(200);
    const template = await prisma.messageTemplate.findUniqueOrThrow({ where: { shop_name_language: { shop: main.shop, name: "spring_offer", language: "en" } } });
    expect(template).toMatchObject({ category: "UTILITY", previousCategory: "MARKETING" });
    const flow = await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: main.shop, flow: "promotion" } } });
    expect(flow.pausedReason).toBe("template_recategorised:spring_offer:MARKETING->UTILITY");
  });

  it("records a paused template", async () => {
    await prisma.flowSetting.update({ where: { shop_flow: { shop: main.shop, flow: "promotion" } }, data: { pausedReason: null } });
    expect((await fake.sendTemplateStatus(main.wabaId, "spring_offer", "en", "PAUSED", "LOW_QUALITY")).status).toBe(200);
    const template = await prisma.messageTemplate.findUniqueOrThrow({ where: { shop_name_language: { shop: main.shop, name: "spring_offer", language: "en" } } });
    expect(template.status).toBe("PAUSED");
    const flow = await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: main.shop, flow: "promotion" } } });
    expect(flow.pausedReason).toBe("template_paused:spring_offer");
  });
});
