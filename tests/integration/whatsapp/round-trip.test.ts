import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { startTestServer, type TestServer } from "../../support/server";
import { seedMessages, seedShop, TEMPLATES } from "../outbox/fixtures";
import prisma from "../../../app/db.server";

/**
 * The whole loop in the running app: the dispatcher started by the server sends through the
 * fake Cloud API, which calls the app's webhook back with signed sent/delivered/read statuses.
 */
const APP_SECRET = "round-trip-secret";
const seed = { shop: "round-trip.myshopify.com", phoneNumberId: "9001", wabaId: "9101", token: "token-rt" };
let fake: FakeWhatsApp;
let server: TestServer;

beforeAll(async () => {
  fake = await startFakeWhatsApp({
    numbers: [{ phoneNumberId: seed.phoneNumberId, wabaId: seed.wabaId, accessToken: seed.token }],
    templates: { [seed.wabaId]: TEMPLATES },
    appSecret: APP_SECRET,
    autoStatuses: true,
    statusDelayMs: 30,
  });
  server = await startTestServer({ DISPATCHER: "on", WHATSAPP_API_ORIGIN: fake.origin, WHATSAPP_APP_SECRET: APP_SECRET });
  fake.setWebhookUrl(`${server.url}/whatsapp/webhook`);
  await seedShop(prisma, seed);
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

describe("send and status round trip", () => {
  it("sends due messages from the server's own dispatcher and follows them to read", async () => {
    const ids = await seedMessages(prisma, seed.shop, 5);
    // A US shopper (region read from the number): marketing to US numbers is not allowed, the gate skips it and says why.
    const [usPromo] = await seedMessages(prisma, seed.shop, 1, "promotion");
    const us = await prisma.notification.findUniqueOrThrow({ where: { id: usPromo }, select: { subscriberId: true } });
    await prisma.subscriber.update({ where: { id: us.subscriberId! }, data: { phone: "+12025550123", callingCode: "1" } });

    const started = Date.now();
    while ((await prisma.notification.count({ where: { id: { in: ids }, status: "read" } })) < ids.length) {
      if (Date.now() - started > 30_000) throw new Error("messages did not reach read");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await fake.settle();
    for (const id of ids) {
      const kinds = (await prisma.notificationEvent.findMany({ where: { notificationId: id }, orderBy: { at: "asc" } })).map((e) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(["sent", "delivered", "read"]));
    }
    expect(fake.webhookDeliveries.every((d) => d.status === 200)).toBe(true);
    const skipped = await prisma.notification.findUniqueOrThrow({ where: { id: usPromo } });
    expect(skipped).toMatchObject({ status: "skipped", decision: "skip", decisionReason: "marketing_not_allowed_to_region:US" });
    expect(fake.accepted.some((m) => m.callbackData === usPromo)).toBe(false);
  });
});
