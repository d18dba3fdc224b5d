import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { startTestServer, type TestServer } from "../../support/server";
import { seedMessages, seedShop, TEMPLATES } from "../outbox/fixtures";
import prisma from "../../../app/db.server";

/**
 * A receipt makes Meta's retry of a delivery count as a duplicate, so it must never be committed
 * without the change it stands for. Each test fails the change after the receipt step and stops
 * the failure from being tidied up (the receipt cannot be deleted, as when the process dies half
 * way): the delivery must answer non-2xx, and Meta's retry of the very same delivery must apply.
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started ("retry")
 */
const APP_SECRET = "meta-app-secret";
const SHOP = { shop: "wa-receipts.myshopify.com", phoneNumberId: "3701", wabaId: "4701", token: "token-r" };

let server: TestServer;
let fake: FakeWhatsApp;

beforeAll(async () => {
  server = await startTestServer({ WHATSAPP_APP_SECRET: APP_SECRET });
  const numbers = [{ phoneNumberId: SHOP.phoneNumberId, wabaId: SHOP.wabaId, accessToken: SHOP.token }];
  fake = await startFakeWhatsApp({ numbers, templates: { [SHOP.wabaId]: TEMPLATES.map((t) => ({ ...t })) }, webhookUrl: `${server.url}/whatsapp/webhook`, appSecret: APP_SECRET });
  await seedShop(prisma, SHOP);
  await prisma.$executeRawUnsafe(`CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
});

afterEach(async () => {
  await heal();
});

afterAll(async () => {
  await fake?.close();
  await server?.stop();
});

const TRIGGERS = [
  ["fail_effect", "MessageTemplate", "BEFORE UPDATE"],
  ["fail_effect", "ConsentEvent", "BEFORE INSERT"],
  ["fail_effect", "Subscriber", "BEFORE UPDATE"],
  ["keep_receipt", "WebhookReceipt", "BEFORE DELETE"],
] as const;

/** The change fails, and so would any attempt to take its receipt back. */
async function crashAfterReceipt(effectTable: string) {
  for (const [name, table, when] of TRIGGERS) {
    if (name === "fail_effect" && table !== effectTable) continue;
    await prisma.$executeRawUnsafe(`CREATE TRIGGER ${name} ${when} ON "${table}" FOR EACH ROW EXECUTE FUNCTION injected_failure()`);
  }
}

async function heal() {
  for (const [name, table] of TRIGGERS) await prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${name} ON "${table}"`);
}

const now = () => String(Math.floor(Date.now() / 1000));

function envelope(field: string, value: Record<string, unknown>) {
  return { object: "whatsapp_business_account", entry: [{ id: SHOP.wabaId, time: Number(now()), changes: [{ field, value }] }] };
}

const messagesValue = (extra: Record<string, unknown>) => ({
  messaging_product: "whatsapp",
  metadata: { display_phone_number: "15550001111", phone_number_id: SHOP.phoneNumberId },
  ...extra,
});

describe("WhatsApp webhook receipts", () => {
  it("a template status update that fails after its receipt step is applied when Meta retries it", async () => {
    await prisma.flowSetting.create({ data: { shop: SHOP.shop, flow: "promotion", enabled: true, config: { templateName: "spring_offer", language: "en" } } });
    const delivery = envelope("message_template_status_update", {
      event: "PAUSED",
      message_template_id: 9001,
      message_template_name: "spring_offer",
      message_template_language: "en",
      reason: "NONE",
    });
    await crashAfterReceipt("MessageTemplate");
    expect((await fake.deliver(delivery)).status).toBeGreaterThanOrEqual(500);
    await heal();
    expect((await fake.deliver(delivery)).status).toBe(200);
    const template = await prisma.messageTemplate.findUniqueOrThrow({ where: { shop_name_language: { shop: SHOP.shop, name: "spring_offer", language: "en" } } });
    expect(template.status).toBe("PAUSED");
    const flow = await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: SHOP.shop, flow: "promotion" } } });
    expect(flow.pausedReason).toBe("template_paused:spring_offer");
    // Once applied, the same delivery again is a duplicate: the merchant's resume is not undone.
    await prisma.flowSetting.update({ where: { shop_flow: { shop: SHOP.shop, flow: "promotion" } }, data: { pausedReason: null } });
    expect((await fake.deliver(delivery)).status).toBe(200);
    expect((await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: SHOP.shop, flow: "promotion" } } })).pausedReason).toBeNull();
  });

  it("a STOP reply that fails half way is applied when Meta retries it, and only once", async () => {
    const subscriber = await prisma.subscriber.create({ data: { shop: SHOP.shop, phone: "+34600000301", callingCode: "34", status: "subscribed" } });
    const delivery = fake.inboundPayload(SHOP.phoneNumberId, "+34600000301", { text: "STOP" });
    await crashAfterReceipt("ConsentEvent");
    expect((await fake.deliver(delivery)).status).toBeGreaterThanOrEqual(500);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("subscribed");
    await heal();
    expect((await fake.deliver(delivery)).status).toBe(200);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("unsubscribed");
    expect((await fake.deliver(delivery)).status).toBe(200);
    expect(await prisma.consentEvent.count({ where: { shop: SHOP.shop, subscriberId: subscriber.id, kind: "opt_out" } })).toBe(1);
  });

  it("a 131050 failure whose consequence fails after the status is recorded stops marketing when Meta retries it", async () => {
    const [id] = await seedMessages(prisma, SHOP.shop, 1, "promotion");
    const waMessageId = "wamid.receipt-failed-1";
    await prisma.notification.update({ where: { id }, data: { status: "sent", waMessageId, sentAt: new Date() } });
    const { subscriberId } = await prisma.notification.findUniqueOrThrow({ where: { id } });
    const delivery = envelope("messages", messagesValue({
      statuses: [{
        id: waMessageId,
        status: "failed",
        timestamp: now(),
        recipient_id: "34611000000",
        errors: [{ code: 131050, title: "User has stopped marketing messages from this business", error_data: { details: "Unable to deliver the marketing message because the user stopped marketing messages." } }],
      }],
    }));
    await crashAfterReceipt("Subscriber");
    expect((await fake.deliver(delivery)).status).toBeGreaterThanOrEqual(500);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id } })).status).toBe("failed");
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriberId! } })).marketingStoppedAt).toBeNull();
    await heal();
    expect((await fake.deliver(delivery)).status).toBe(200);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriberId! } })).marketingStoppedAt).not.toBeNull();
    expect((await fake.deliver(delivery)).status).toBe(200);
    expect(await prisma.consentEvent.count({ where: { shop: SHOP.shop, subscriberId: subscriberId!, kind: "marketing_stopped" } })).toBe(1);
    expect(await prisma.notificationEvent.count({ where: { notificationId: id, kind: "failed" } })).toBe(1);
  });
});
