import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeShopifyAdmin, type FakeShopifyAdmin } from "../../fakes/shopify/admin";
import { customersOf, seedCustomer, setWhatsAppConsentInAdmin, shopifyDateTime } from "../../fakes/shopify/admin-customers";
import { DESKTOP_CHROME_UA } from "../../fakes/shopify/app-proxy";
import { customerUpdatePayload, orderPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import { signSessionToken } from "../../fakes/shopify/session-token";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { startTestServer, type TestServer } from "../../support/server";
import { waitForShop } from "../../support/wait";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import { seedShop, TEMPLATES } from "../outbox/fixtures";
import prisma from "../../../app/db.server";

/**
 * WhatsApp consent kept in step with the customer in Shopify, through the running app: opt-ins,
 * STOP and orders write it to the fake Admin API from background tasks; a signed customers/update
 * makes the app read it back, honouring an opt-out and refusing to treat the merchant's
 * "subscribed" as an opt-in. Replays, stale deliveries and the echo of the app's own writes
 * change nothing.
 */
const SHOP = "consent-sync.myshopify.com";
const ADMIN_TOKEN = "shpat_consent_sync";
const APP_SECRET = "meta-secret-consent-sync";
const NUMBER = { shop: SHOP, phoneNumberId: "7301", wabaId: "7401", token: "wa-token-sync" };
const TEXT = "Send me offers from Sync Store on WhatsApp. Reply STOP to opt out.";

let server: TestServer;
let admin: FakeShopifyAdmin;
let wa: FakeWhatsApp;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;

const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false>) => waitForShop(prisma, SHOP, what, probe, 20_000);
const writes = () => admin.requests.filter((r) => r.operationName === "ReboundWhatsAppConsentUpdate").length;
const consentOf = (customerId: number) => customersOf(admin.store).get(SHOP)!.get(String(customerId))!.whatsAppMarketingConsent;
const customerUpdated = (customerId: number, updatedAt: Date, eventId?: string) =>
  sendWebhook(server.url, server.secret, { topic: "customers/update", shop: SHOP, payload: customerUpdatePayload({ id: customerId, updatedAt }), eventId });

const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 10));

/** Every task of the shop has run (done or given up). */
const tasksSettled = () => waitFor("tasks to settle", async () => (await prisma.task.count({ where: { shop: SHOP, status: { in: ["queued", "running"] } } })) === 0);

async function checkoutOptIn(phone: string, customerId: number) {
  const token = signSessionToken({ shop: SHOP, apiKey: server.apiKey, secret: server.secret, userId: `gid://shopify/Customer/${customerId}` });
  const response = await fetch(`${server.url}/api/checkout-optin`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "User-Agent": DESKTOP_CHROME_UA, Authorization: `Bearer ${token}`, Origin: "https://extensions.shopifycdn.com" },
    body: JSON.stringify({ phone, source: "checkout", consentText: TEXT, textVersion: "v1", locale: "en" }),
  });
  expect(response.status).toBe(200);
  return prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop: SHOP, phone } } });
}

/** A subscriber who opted in earlier (single opt-in) with no customer known yet. */
async function subscribedEarlier(phone: string, at: Date, customerId: string | null = null) {
  const subscriber = await prisma.subscriber.create({ data: { shop: SHOP, phone, callingCode: "34", countryCode: "ES", status: "subscribed", customerId } });
  const event = await prisma.consentEvent.create({
    data: { shop: SHOP, subscriberId: subscriber.id, kind: "opt_in", source: "cart_block", text: TEXT, textVersion: "v1", occurredAt: at, context: { requiresConfirmation: false } },
  });
  return { subscriber, event };
}

beforeAll(async () => {
  admin = await startFakeShopifyAdmin();
  admin.store.seedShop({ domain: SHOP, accessToken: ADMIN_TOKEN });
  snapshot = snapshotBuild();
  wa = await startFakeWhatsApp({
    numbers: [{ phoneNumberId: NUMBER.phoneNumberId, wabaId: NUMBER.wabaId, accessToken: NUMBER.token }],
    templates: { [NUMBER.wabaId]: TEMPLATES.map((t) => ({ ...t })) },
    appSecret: APP_SECRET,
  });
  server = await startTestServer(
    { DISPATCHER: "on", SHOPIFY_ADMIN_API_ORIGIN: admin.origin, WHATSAPP_API_ORIGIN: wa.origin, WHATSAPP_APP_SECRET: APP_SECRET },
    { root: snapshot.root },
  );
  wa.setWebhookUrl(`${server.url}/whatsapp/webhook`);
  await seedShop(prisma, NUMBER);
  await prisma.shop.update({ where: { shop: SHOP }, data: { name: "Sync Store" } });
  await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", accessToken: ADMIN_TOKEN, isOnline: false } });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await wa?.close();
  await admin?.close();
  snapshot?.remove();
});

describe("Rebound -> Shopify", () => {
  const customer = shopifyNumericId();
  const phone = "+34600100001";

  it("writes a double opt-in confirmed on WhatsApp as SUBSCRIBED, CONFIRMED_OPT_IN, at the confirmation's time", async () => {
    seedCustomer(admin.store, SHOP, { id: String(customer), phone });
    const subscriber = await checkoutOptIn(phone, customer);
    expect(subscriber).toMatchObject({ status: "pending", customerId: String(customer) });
    await tasksSettled();
    // Pending is not consent yet: nothing is written while the shopper has not confirmed.
    expect(consentOf(customer).state).toBe("NEVER_SUBSCRIBED");
    // WhatsApp stamps messages in whole seconds: the shopper's answer comes in a later second
    // than the opt-in, as it does when they answer the confirmation they received.
    await nextSecond();

    expect((await wa.sendInbound(NUMBER.phoneNumberId, phone, { buttonPayload: "REBOUND_CONFIRM_OPTIN", buttonText: "Yes" })).status).toBe(200);
    await waitFor("the consent in Shopify", async () => consentOf(customer).state === "SUBSCRIBED");
    const confirmed = await prisma.consentEvent.findFirstOrThrow({ where: { shop: SHOP, subscriberId: subscriber.id, kind: "confirmed" } });
    expect(consentOf(customer)).toEqual({ state: "SUBSCRIBED", optInLevel: "CONFIRMED_OPT_IN", updatedAt: shopifyDateTime(confirmed.occurredAt), collectedFrom: "OTHER" });
    const [write] = admin.requests.filter((r) => r.operationName === "ReboundWhatsAppConsentUpdate");
    expect(write.variables).toEqual({
      input: {
        customerId: `gid://shopify/Customer/${customer}`,
        whatsAppMarketingConsent: { state: "SUBSCRIBED", optInLevel: "CONFIRMED_OPT_IN", updatedAt: confirmed.occurredAt.toISOString() },
      },
    });
  });

  it("writes STOP as UNSUBSCRIBED", async () => {
    const before = writes();
    expect((await wa.sendInbound(NUMBER.phoneNumberId, phone, { text: "STOP" })).status).toBe(200);
    await waitFor("the opt-out in Shopify", async () => consentOf(customer).state === "UNSUBSCRIBED");
    const stop = await prisma.consentEvent.findFirstOrThrow({ where: { shop: SHOP, kind: "opt_out", source: "whatsapp_reply" } });
    expect(consentOf(customer)).toMatchObject({ state: "UNSUBSCRIBED", updatedAt: shopifyDateTime(stop.occurredAt) });
    expect(writes()).toBe(before + 1);
  });

  it("does not loop when its own write comes back as customers/update", async () => {
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop: SHOP, phone } } });
    const events = await prisma.consentEvent.count({ where: { shop: SHOP, subscriberId: subscriber.id } });
    const before = writes();
    const echo = await customerUpdated(customer, new Date());
    expect(echo.status).toBe(200);
    await waitFor("the read of the customer", async () =>
      admin.requests.some((r) => r.operationName === "ReboundCustomerWhatsAppConsent" && (r.variables.id as string).endsWith(`/${customer}`) && r.status === 200),
    );
    await tasksSettled();
    expect(await prisma.consentEvent.count({ where: { shop: SHOP, subscriberId: subscriber.id } })).toBe(events);
    expect(writes()).toBe(before);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("unsubscribed");
  });

  it("writes the consent of a subscriber who becomes a customer with their first order", async () => {
    const later = shopifyNumericId();
    const laterPhone = "+34600100002";
    seedCustomer(admin.store, SHOP, { id: String(later), phone: laterPhone });
    const optedInAt = new Date(Date.now() - 3_600_000);
    const { subscriber } = await subscribedEarlier(laterPhone, optedInAt);
    const order = orderPayload({
      phone: laterPhone,
      customer: { id: later, phone: laterPhone },
      lines: [{ variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Beans", quantity: 1, price: "10.00" }],
      createdAt: new Date(),
    });
    expect((await sendWebhook(server.url, server.secret, { topic: "orders/create", shop: SHOP, payload: order })).status).toBe(200);
    await waitFor("the consent in Shopify", async () => consentOf(later).state === "SUBSCRIBED");
    expect(consentOf(later)).toMatchObject({ optInLevel: "SINGLE_OPT_IN", updatedAt: shopifyDateTime(optedInAt) });
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).customerId).toBe(String(later));
  });
});

describe("Shopify -> Rebound", () => {
  it("opts out a subscriber unsubscribed in Shopify's admin, with the proof naming Shopify, and sends nothing more", async () => {
    const customer = shopifyNumericId();
    const phone = "+34600100003";
    seedCustomer(admin.store, SHOP, { id: String(customer), phone });
    const { subscriber } = await subscribedEarlier(phone, new Date(Date.now() - 7_200_000), String(customer));
    const promotion = await prisma.notification.create({
      data: {
        shop: SHOP,
        flow: "promotion",
        dedupKey: `promotion:${subscriber.id}`,
        subscriberId: subscriber.id,
        sendAt: new Date(Date.now() + 3_600_000),
        expiresAt: new Date(Date.now() + 86_400_000),
        templateName: "spring_offer",
        templateLanguage: "en",
        params: { body: ["Spring", "20%"] },
      },
    });
    const before = writes();
    const changed = setWhatsAppConsentInAdmin(admin.store, SHOP, String(customer), { state: "UNSUBSCRIBED" });
    const eventId = "customer-update-unsubscribe";
    expect((await customerUpdated(customer, new Date(changed.updatedAt), eventId)).status).toBe(200);

    const out = await waitFor("the opt-out", () => prisma.consentEvent.findFirst({ where: { shop: SHOP, subscriberId: subscriber.id, kind: "opt_out" } }));
    expect(out).toMatchObject({ source: "shopify_admin", occurredAt: new Date(changed.whatsAppMarketingConsent.updatedAt!) });
    expect(out.context).toMatchObject({ customerId: String(customer), state: "UNSUBSCRIBED", collectedFrom: "SHOPIFY" });
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("unsubscribed");
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: promotion.id } })).status).toBe("cancelled");
    await tasksSettled();
    // What came from Shopify is not written back to it.
    expect(writes()).toBe(before);

    // The same delivery again (Shopify retries) is a duplicate; nothing changes.
    const events = await prisma.consentEvent.count({ where: { shop: SHOP, subscriberId: subscriber.id } });
    const replay = await customerUpdated(customer, new Date(changed.updatedAt), eventId);
    expect(await replay.json()).toEqual({ ok: true, outcome: "duplicate" });
    await tasksSettled();
    expect(await prisma.consentEvent.count({ where: { shop: SHOP, subscriberId: subscriber.id } })).toBe(events);
  });

  it("ignores a late customers/update older than the latest consent change, and a consent older than the ledger", async () => {
    const customer = shopifyNumericId();
    const phone = "+34600100004";
    seedCustomer(admin.store, SHOP, { id: String(customer), phone });
    const optedInAt = new Date(Date.now() - 600_000);
    const { subscriber } = await subscribedEarlier(phone, optedInAt, String(customer));
    // The merchant unsubscribed them before the shopper opted in; the webhook arrives only now.
    setWhatsAppConsentInAdmin(admin.store, SHOP, String(customer), { state: "UNSUBSCRIBED" }, new Date(optedInAt.getTime() - 60_000));
    const reads = () => admin.requests.filter((r) => r.operationName === "ReboundCustomerWhatsAppConsent").length;
    const readsBefore = reads();

    expect((await customerUpdated(customer, new Date(optedInAt.getTime() - 60_000))).status).toBe(200);
    await tasksSettled();
    expect(reads()).toBe(readsBefore);

    // A fresh delivery (another change of the customer) still finds an older consent: stale too.
    expect((await customerUpdated(customer, new Date())).status).toBe(200);
    await waitFor("the read of the customer", async () => reads() > readsBefore);
    await tasksSettled();
    expect(await prisma.consentEvent.count({ where: { shop: SHOP, subscriberId: subscriber.id } })).toBe(1);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("subscribed");
  });

  it("records SUBSCRIBED set in Shopify as the merchant's claim, without subscribing a pending shopper", async () => {
    const customer = shopifyNumericId();
    const phone = "+34600100005";
    seedCustomer(admin.store, SHOP, { id: String(customer), phone });
    const subscriber = await checkoutOptIn(phone, customer);
    expect(subscriber.status).toBe("pending");
    await tasksSettled();
    const before = writes();
    // Shopify keeps whole seconds: the merchant's change comes in a later second than the opt-in.
    await nextSecond();
    const changed = setWhatsAppConsentInAdmin(admin.store, SHOP, String(customer), { state: "SUBSCRIBED", optInLevel: "SINGLE_OPT_IN" });
    expect((await customerUpdated(customer, new Date(changed.updatedAt))).status).toBe(200);

    const claim = await waitFor("the claim", () => prisma.consentEvent.findFirst({ where: { shop: SHOP, subscriberId: subscriber.id, kind: "merchant_claim" } }));
    expect(claim).toMatchObject({ source: "shopify_admin", text: null });
    expect(claim.context).toMatchObject({ state: "SUBSCRIBED", optInLevel: "SINGLE_OPT_IN", collectedFrom: "SHOPIFY", customerId: String(customer) });
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("pending");
    await tasksSettled();
    expect(writes()).toBe(before);
  });
});
