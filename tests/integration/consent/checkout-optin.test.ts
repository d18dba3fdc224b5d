import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESKTOP_CHROME_UA } from "../../fakes/shopify/app-proxy";
import { signSessionToken } from "../../fakes/shopify/session-token";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import prisma from "../../../app/db.server";

let server: TestServer;
// A private copy of the build: other test runs may rebuild build/ while this one runs.
let snapshot: ReturnType<typeof snapshotBuild> | undefined;
const shop = "checkout-optin.myshopify.com";
const TEXT = "Send me order updates and offers from Checkout Store on WhatsApp. Reply STOP to opt out.";

function post(body: unknown, token: string | null, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": DESKTOP_CHROME_UA,
    Origin: "https://extensions.shopifycdn.com",
    ...extra,
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(`${server.url}/api/checkout-optin`, { method: "POST", headers, body: JSON.stringify(body) });
}

const token = (forShop = shop, sub?: string) => {
  const jwt = signSessionToken({ shop: forShop, apiKey: server.apiKey, secret: server.secret, userId: sub });
  return jwt;
};

beforeAll(async () => {
  snapshot = snapshotBuild();
  server = await startTestServer({}, { root: snapshot.root });
  await prisma.shop.create({ data: { shop, name: "Checkout Store", settings: { create: {} } } });
  await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", isOnline: false } });
});
afterAll(async () => {
  await server?.stop();
  snapshot?.remove();
});

describe("POST /api/checkout-optin", () => {
  it("answers the CORS preflight", async () => {
    const response = await fetch(`${server.url}/api/checkout-optin`, {
      method: "OPTIONS",
      headers: { Origin: "https://extensions.shopifycdn.com", "Access-Control-Request-Method": "POST", "User-Agent": DESKTOP_CHROME_UA },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("records a thank-you page opt-in with the customer and order, with CORS headers", async () => {
    await prisma.checkout.create({ data: { shop, token: "chk-1", shopifyUpdatedAt: new Date() } });
    const response = await post(
      { phone: "+62 812-3456-7890", source: "thank_you", consentText: TEXT, textVersion: "v2", locale: "id", checkoutToken: "chk-1", orderId: "9001" },
      token(shop, "gid://shopify/Customer/555"),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop, phone: "+6281234567890" } } });
    expect(subscriber).toMatchObject({ customerId: "555", callingCode: "62", countryCode: "ID", status: "pending", acceptsOffers: true });
    const event = await prisma.consentEvent.findFirstOrThrow({ where: { subscriberId: subscriber.id } });
    expect(event).toMatchObject({ source: "thank_you", textVersion: "v2", locale: "id" });
    expect((await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop, token: "chk-1" } } })).subscriberId).toBe(subscriber.id);
    const confirmation = await prisma.notification.findFirstOrThrow({ where: { subscriberId: subscriber.id } });
    expect(confirmation.templateLanguage).toBe("id");
  });

  it("refuses a missing or forged token, a storefront source and a bad phone", async () => {
    const before = await prisma.consentEvent.count();
    const body = { phone: "+34612000111", source: "checkout", consentText: TEXT, textVersion: "v2", locale: "en" };
    expect((await post(body, null)).status).toBe(401);
    const forged = signSessionToken({ shop, apiKey: server.apiKey, secret: "wrong-secret" });
    expect((await post(body, forged)).status).toBe(401);
    const storefront = await post({ ...body, source: "product_block" }, token());
    expect(storefront.status).toBe(422);
    expect(storefront.headers.get("access-control-allow-origin")).toBe("*");
    const bad = await post({ ...body, phone: "+34 1" }, token());
    expect(await bad.json()).toEqual({ ok: false, code: "invalid_phone", field: "phone" });
    // The refusal is readable by the extension (CORS), so it can say sign-up is unavailable.
    const refused = await post(body, forged);
    expect(refused.headers.get("access-control-allow-origin")).toBe("*");
    const unknown = await post(body, token("not-installed.myshopify.com"));
    expect(unknown.status).toBe(404);
    expect(await prisma.consentEvent.count()).toBe(before);
  });

  it("trusts the phone checkout offered no more than a typed one: it still has to be confirmed", async () => {
    // What the extension sends when the shopper only ticked the box under the buyer's own phone,
    // plus claims a forged client might add. None of them skips the WhatsApp confirmation.
    const response = await post(
      {
        phone: "+34 612 34 56 78",
        country: "ES",
        source: "checkout",
        consentText: TEXT,
        textVersion: "t1a2b3c4",
        locale: "es",
        checkoutToken: "chk-prefilled",
        phoneSource: "buyer_identity",
        verified: true,
        status: "subscribed",
      },
      token(shop, "gid://shopify/Customer/777"),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop, phone: "+34612345678" } } });
    expect(subscriber).toMatchObject({ status: "pending", customerId: "777" });
    const confirmation = await prisma.notification.findFirstOrThrow({ where: { subscriberId: subscriber.id } });
    expect(confirmation).toMatchObject({ flow: "optin_confirmation", templateLanguage: "es" });
    const event = await prisma.consentEvent.findFirstOrThrow({ where: { subscriberId: subscriber.id } });
    expect(JSON.stringify(event.context)).not.toMatch(/buyer_identity|verified/);
  });
});
