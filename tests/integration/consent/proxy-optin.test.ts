import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxyFetch } from "../../fakes/shopify/app-proxy";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import prisma from "../../../app/db.server";

let server: TestServer;
// A private copy of the build: other test runs may rebuild build/ while this one runs.
let snapshot: ReturnType<typeof snapshotBuild> | undefined;
const shop = "proxy-optin.myshopify.com";
const uninstalled = "gone-shop.myshopify.com";
const TEXT = "Send me a WhatsApp message from Proxy Optin Store when this is back in stock. Reply STOP to opt out.";

function form(extra: Record<string, unknown> = {}) {
  return {
    phone: "612 345 678",
    country: "ES",
    variantId: "4001",
    productId: "3001",
    source: "product_block",
    consentText: TEXT,
    textVersion: "v1",
    locale: "es",
    website: "",
    ...extra,
  };
}

function post(body: unknown, options: { shop?: string; forwardedFor?: string; signature?: string | null; timestamp?: number } = {}) {
  return proxyFetch(
    server.url,
    server.secret,
    { shop: options.shop ?? shop, path: "/optin", signature: options.signature, timestamp: options.timestamp },
    { body: JSON.stringify(body), contentType: "application/json", forwardedFor: options.forwardedFor },
  );
}

beforeAll(async () => {
  snapshot = snapshotBuild();
  server = await startTestServer({}, { root: snapshot.root });
  await prisma.shop.create({ data: { shop, name: "Proxy Optin Store", settings: { create: {} } } });
  await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", isOnline: false } });
  await prisma.shop.create({ data: { shop: uninstalled, name: "Gone", status: "uninstalled" } });
});
afterAll(async () => {
  await server?.stop();
  snapshot?.remove();
});

describe("POST /proxy/optin", () => {
  it("records a pending subscriber, a back-in-stock request, the proof and a confirmation", async () => {
    const response = await post(form());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });

    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop, phone: "+34612345678" } } });
    expect(subscriber).toMatchObject({ callingCode: "34", countryCode: "ES", status: "pending", locale: "es" });
    const [event] = await prisma.consentEvent.findMany({ where: { shop, subscriberId: subscriber.id } });
    expect(event).toMatchObject({ kind: "opt_in", source: "product_block", text: TEXT, textVersion: "v1", locale: "es" });
    expect(event.deviceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await prisma.backInStockRequest.count({ where: { shop, subscriberId: subscriber.id, variantId: "4001", status: "waiting" } })).toBe(1);
    const confirmation = await prisma.notification.findFirstOrThrow({ where: { shop, subscriberId: subscriber.id } });
    expect(confirmation).toMatchObject({ flow: "optin_confirmation", templateName: "optin_confirmation", templateLanguage: "es", status: "scheduled" });
  });

  it("a repeated submit for the same phone and variant changes nothing", async () => {
    const response = await post(form({ phone: "+34 612 345 678" }));
    expect(response.status).toBe(200);
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop, phone: "+34612345678" } } });
    expect(await prisma.consentEvent.count({ where: { subscriberId: subscriber.id } })).toBe(1);
    expect(await prisma.backInStockRequest.count({ where: { subscriberId: subscriber.id } })).toBe(1);
    expect(await prisma.notification.count({ where: { subscriberId: subscriber.id } })).toBe(1);
  });

  it("accepts a url-encoded form and links the cart token", async () => {
    await prisma.cart.create({ data: { shop, token: "cart-abc", shopifyUpdatedAt: new Date() } });
    const body = new URLSearchParams({ ...form({ variantId: "", productId: "", source: "cart_block", cartToken: "cart-abc", phone: "+5511987654321" }) } as Record<string, string>);
    body.delete("variantId");
    body.delete("productId");
    const response = await proxyFetch(server.url, server.secret, { shop, path: "/optin" }, { body: body.toString(), contentType: "application/x-www-form-urlencoded", forwardedFor: "198.51.100.8" });
    expect(response.status).toBe(200);
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop, phone: "+5511987654321" } } });
    expect(subscriber).toMatchObject({ callingCode: "55", countryCode: "BR", acceptsOffers: true });
    expect((await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token: "cart-abc" } } })).subscriberId).toBe(subscriber.id);
    const event = await prisma.consentEvent.findFirstOrThrow({ where: { subscriberId: subscriber.id } });
    expect((event.context as Record<string, unknown>).cartToken).toBe("cart-abc");
  });

  it("without double opt-in the shopper is subscribed at once", async () => {
    await prisma.shopSettings.update({ where: { shop }, data: { doubleOptIn: false } });
    try {
      const response = await post(form({ phone: "+4915123456789", variantId: "4002" }), { forwardedFor: "198.51.100.9" });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true });
      const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop, phone: "+4915123456789" } } });
      expect(subscriber.status).toBe("subscribed");
      expect(await prisma.notification.count({ where: { subscriberId: subscriber.id } })).toBe(0);
    } finally {
      await prisma.shopSettings.update({ where: { shop }, data: { doubleOptIn: true } });
    }
  });

  it("answers stable error codes", async () => {
    const cases: Array<[Promise<Response>, number, string]> = [
      [post(form({ phone: "12" })), 422, "invalid_phone"],
      [post(form({ consentText: "Notify me when this product is back in stock please" })), 422, "consent_text_invalid"],
      [post(form({ website: "http://spam.example" })), 422, "rejected"],
      [post(form({ source: "admin" })), 422, "invalid_field"],
      [post({ ...form(), phone: undefined }), 422, "missing_field"],
      [post(form(), { shop: uninstalled }), 404, "shop_not_found"],
      [post(form(), { shop: "never-installed.myshopify.com" }), 404, "shop_not_found"],
    ];
    for (const [pending, status, code] of cases) {
      const response = await pending;
      expect(response.status).toBe(status);
      expect((await response.json()).code).toBe(code);
    }
  });

  it("a bad, missing or stale signature gets 400", async () => {
    expect((await post(form(), { signature: "00".repeat(32) })).status).toBe(400);
    expect((await post(form(), { signature: null })).status).toBe(400);
    expect((await post(form(), { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(400);
  });

  it("limits opt-ins per IP", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const response = await post(form({ phone: "xx" }), { forwardedFor: "203.0.113.50" });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 422)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
  });
});
