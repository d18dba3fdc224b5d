import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkoutPayload, orderPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import prisma from "../../../app/db.server";

/**
 * Shopify's SMS marketing consent (checkout `sms_marketing_phone`, order
 * `buyer_accepts_sms_marketing`, customer `sms_marketing_consent`) was given for SMS. WhatsApp
 * requires an opt-in for WhatsApp naming the business, so none of it may create a subscriber or a
 * consent event.
 */
let server: TestServer;
let build: ReturnType<typeof snapshotBuild> | undefined;
const shop = "sms-consent.myshopify.com";
const send = (topic: string, payload: unknown) => sendWebhook(server.url, server.secret, { topic, shop, payload });

beforeAll(async () => {
  build = snapshotBuild();
  server = await startTestServer({}, { root: build.root });
  await prisma.shop.create({ data: { shop, countryCode: "ES", settings: { create: {} } } });
});
afterAll(async () => {
  await server?.stop();
  build?.remove();
});

describe("Shopify SMS marketing consent", () => {
  it("is never treated as WhatsApp consent", async () => {
    const customer = { id: shopifyNumericId(), phone: "+34612999001" };
    const smsConsent = { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2026-11-20T10:00:00Z", consent_collected_from: "SHOPIFY" };
    const withSmsConsent = <T extends { customer?: unknown }>(payload: T) => ({
      ...payload,
      customer: { ...(payload.customer as object), sms_marketing_consent: smsConsent },
      buyer_accepts_sms_marketing: true,
      sms_marketing_phone: "+34612999001",
    });
    const line = { variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Tee", quantity: 1, price: "20.00" };
    const checkout = withSmsConsent(checkoutPayload({ phone: "+34612999001", lines: [line], customer, updatedAt: new Date(Date.UTC(2026, 10, 20, 10, 0)) }));
    expect((await send("checkouts/create", checkout)).status).toBe(200);
    const order = withSmsConsent(orderPayload({ lines: [line], phone: "+34612999001", customer, createdAt: new Date(Date.UTC(2026, 10, 20, 10, 5)), updatedAt: new Date(Date.UTC(2026, 10, 20, 10, 5)) }));
    expect((await send("orders/create", order)).status).toBe(200);

    expect(await prisma.checkout.count({ where: { shop } })).toBe(1);
    expect(await prisma.subscriber.count({ where: { shop } })).toBe(0);
    expect(await prisma.consentEvent.count({ where: { shop } })).toBe(0);
    expect(await prisma.notification.count({ where: { shop } })).toBe(0);
  });
});
