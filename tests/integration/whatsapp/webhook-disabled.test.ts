import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { startTestServer, type TestServer } from "../../support/server";
import { seedShop } from "../outbox/fixtures";
import prisma from "../../../app/db.server";

/**
 * Without WHATSAPP_APP_SECRET no delivery can be verified, so none is accepted: not one signed
 * with an empty key, and not one signed with any other (the server says so when it starts).
 */
const SHOP = { shop: "no-meta-secret.myshopify.com", phoneNumberId: "3901", wabaId: "4901", token: "token-n" };

let server: TestServer;
const fakes: FakeWhatsApp[] = [];

beforeAll(async () => {
  delete process.env.WHATSAPP_APP_SECRET;
  delete process.env.WHATSAPP_VERIFY_TOKEN;
  server = await startTestServer();
  await seedShop(prisma, SHOP);
});

afterAll(async () => {
  for (const fake of fakes) await fake.close();
  await server?.stop();
});

describe("WhatsApp webhook without the Meta app secret", () => {
  it("answers Meta's subscription check with 403 when no verify token is configured", async () => {
    const check = await fetch(`${server.url}/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=anything&hub.challenge=5`);
    expect(check.status).toBe(403);
    const empty = await fetch(`${server.url}/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=&hub.challenge=5`);
    expect(empty.status).toBe(403);
  });

  it("refuses every POST and changes nothing", async () => {
    const subscriber = await prisma.subscriber.create({ data: { shop: SHOP.shop, phone: "+34600000201", callingCode: "34", status: "subscribed" } });
    const numbers = [{ phoneNumberId: SHOP.phoneNumberId, wabaId: SHOP.wabaId, accessToken: SHOP.token }];
    const fake = await startFakeWhatsApp({ numbers, webhookUrl: `${server.url}/whatsapp/webhook`, appSecret: "some-secret" });
    fakes.push(fake);
    const stop = await fake.sendInbound(SHOP.phoneNumberId, subscriber.phone, { text: "STOP" });
    const body = JSON.stringify({ object: "whatsapp_business_account", entry: [] });
    const emptyKey = await fake.deliver(null, { rawBody: body, signature: `sha256=${createHmac("sha256", "").update(body).digest("hex")}` });
    expect([stop.status, emptyKey.status]).toEqual([503, 503]);
    expect(fake.webhookDeliveries.map((d) => d.body)).toEqual([
      { error: "WhatsApp webhooks are disabled" },
      { error: "WhatsApp webhooks are disabled" },
    ]);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("subscribed");
    expect(await prisma.webhookReceipt.count()).toBe(0);
  });
});
