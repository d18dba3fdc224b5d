import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { startTestServer, type TestServer } from "../../support/server";
import { shopperSaysYes, storefrontOptIn } from "../../support/storefront-optin";
import { seedShop, TEMPLATES, type SeededShop } from "../outbox/fixtures";
import prisma from "../../../app/db.server";

/**
 * Attacks on consent through the storefront opt-in route, made as an outsider makes them: signed
 * by Shopify's app proxy (anyone can post a storefront form), with a phone number that is not
 * theirs, a cart token they saw, or a forwarding header they wrote themselves.
 */
const APP_SECRET = "meta-app-secret-for-consent-attacks";
const CEILING = 6;
const main: SeededShop = { shop: "consent-attacks.myshopify.com", phoneNumberId: "710000000000001", wabaId: "720000000000001", token: "EAAG-consent-attacks" };
const busy: SeededShop = { shop: "consent-busy.myshopify.com", phoneNumberId: "710000000000002", wabaId: "720000000000002", token: "EAAG-consent-busy" };
/** Single opt-in: sign-ups send no confirmation, so only the per-address limit applies. */
const open: SeededShop = { shop: "consent-open.myshopify.com", phoneNumberId: "710000000000003", wabaId: "720000000000003", token: "EAAG-consent-open" };

let server: TestServer;
let whatsapp: FakeWhatsApp;

const target = (shop: string) => ({ appUrl: server.url, secret: server.secret, shop });
const productOptIn = (shop: string, phone: string, variantId = "9001", forwardedFor?: string) =>
  storefrontOptIn(target(shop), phone, "product", { variantId, forwardedFor });
const cartOptIn = (shop: string, phone: string, cartToken: string) => storefrontOptIn(target(shop), phone, "cart", { cartToken });

const subscriber = (shop: string, phone: string) => prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop, phone } } });

async function sayYes(seed: SeededShop, phone: string) {
  expect(await shopperSaysYes(whatsapp, seed.phoneNumberId, [phone])).toEqual([200]);
}

beforeAll(async () => {
  server = await startTestServer({ WHATSAPP_APP_SECRET: APP_SECRET, OPTIN_CONFIRMATIONS_PER_HOUR: String(CEILING), DISPATCHER: "off" });
  whatsapp = await startFakeWhatsApp({
    numbers: [main, busy, open].map((s) => ({ phoneNumberId: s.phoneNumberId, wabaId: s.wabaId, accessToken: s.token })),
    templates: Object.fromEntries([main, busy, open].map((s) => [s.wabaId, TEMPLATES.map((t) => ({ ...t }))])),
    webhookUrl: `${server.url}/whatsapp/webhook`,
    appSecret: APP_SECRET,
  });
  for (const seed of [main, busy, open]) {
    await seedShop(prisma, seed, { doubleOptIn: seed !== open });
    await prisma.session.create({ data: { id: `offline_${seed.shop}`, shop: seed.shop, state: "", accessToken: "shpat_x", isOnline: false } });
  }
});
afterAll(async () => {
  await whatsapp?.close();
  await server?.stop();
});

describe("consent is never widened without the shopper", () => {
  const phone = "+34612000001";

  it("a restock subscriber's number posted from the cart block gets no offers and no cart until the shopper says yes", async () => {
    expect((await productOptIn(main.shop, phone)).status).toBeLessThan(300);
    await sayYes(main, phone);
    expect(await subscriber(main.shop, phone)).toMatchObject({ status: "subscribed", acceptsOffers: false });

    // Someone else types the number into the cart block, with their own cart.
    expect((await cartOptIn(main.shop, phone, "stranger-cart")).status).toBeLessThan(300);
    const after = await subscriber(main.shop, phone);
    expect(after).toMatchObject({ status: "subscribed", acceptsOffers: false, scope: "marketing" });
    expect(await prisma.cart.count({ where: { shop: main.shop, subscriberId: after.id } })).toBe(0);
    // The shopper is asked, once, however often the form is posted.
    expect((await cartOptIn(main.shop, phone, "stranger-cart-2")).status).toBeLessThan(300);
    const asks = await prisma.notification.count({ where: { shop: main.shop, subscriberId: after.id, flow: "optin_confirmation" } });
    expect(asks).toBe(2); // the first sign-up's confirmation and one for the widening

    // Only their own yes on WhatsApp applies it, with the cart they asked about.
    await sayYes(main, phone);
    const confirmed = await subscriber(main.shop, phone);
    expect(confirmed).toMatchObject({ status: "subscribed", acceptsOffers: true });
    expect((await prisma.cart.findMany({ where: { shop: main.shop, subscriberId: confirmed.id }, select: { token: true } })).map((c) => c.token)).toEqual([
      "stranger-cart-2",
    ]);
    const kinds = (await prisma.consentEvent.findMany({ where: { shop: main.shop, subscriberId: confirmed.id }, orderBy: { occurredAt: "asc" } })).map(
      (e) => e.kind,
    );
    expect(kinds.filter((k) => k === "confirmed")).toHaveLength(2);
  });

  it("a yes with nothing waiting changes nothing", async () => {
    const before = await prisma.consentEvent.count({ where: { shop: main.shop } });
    await sayYes(main, phone);
    expect(await prisma.consentEvent.count({ where: { shop: main.shop } })).toBe(before);
  });
});

describe("a cart token proves nothing", () => {
  it("an opt-in naming another shopper's cart does not re-point it to a different phone", async () => {
    expect((await cartOptIn(main.shop, "+34612000002", "shopper-a-cart")).status).toBeLessThan(300);
    const owner = await subscriber(main.shop, "+34612000002");
    expect((await cartOptIn(main.shop, "+34612000003", "shopper-a-cart")).status).toBeLessThan(300);
    const cart = await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop: main.shop, token: "shopper-a-cart" } } });
    expect(cart.subscriberId).toBe(owner.id);
  });
});

describe("rate limits count the address the app can trust", () => {
  it("varying a self-written X-Forwarded-For does not escape the per-address limit", async () => {
    const statuses: number[] = [];
    const phones: string[] = [];
    for (let i = 0; i < 22; i++) {
      phones.push(`+3461220${String(i).padStart(4, "0")}`);
      // The caller writes any first entry; Shopify's proxy appends the address it saw.
      const response = await productOptIn(open.shop, phones[i], "9200", `10.${i}.0.1, 203.0.113.77`);
      statuses.push(response.status);
      void response.body?.cancel();
    }
    expect(statuses.slice(0, 20).every((s) => s < 300)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    // Refused ones wrote nothing.
    expect(await prisma.subscriber.count({ where: { shop: open.shop, phone: { in: phones.slice(20) } } })).toBe(0);
    // Another visitor, seen by Shopify at another address, is not held back by them.
    const other = await productOptIn(open.shop, "+34612230000", "9200", "10.0.0.1, 203.0.113.78");
    expect(other.status).toBeLessThan(300);
  });
});

describe("a shop's confirmations per hour are capped", () => {
  it(`refuses sign-ups past ${CEILING} confirmations an hour, writing nothing for them`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < CEILING + 3; i++) {
      const response = await productOptIn(busy.shop, `+3461230${String(i).padStart(4, "0")}`);
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      void response.body?.cancel();
    }
    expect(statuses.slice(0, CEILING).every((s) => s < 300)).toBe(true);
    expect(statuses.slice(CEILING)).toEqual([429, 429, 429]);
    expect(await prisma.notification.count({ where: { shop: busy.shop, flow: "optin_confirmation" } })).toBe(CEILING);
    expect(await prisma.subscriber.count({ where: { shop: busy.shop } })).toBe(CEILING);
    // The ceiling is the shop's own: another shop still signs shoppers up.
    expect((await productOptIn(main.shop, "+34612999999", "9300")).status).toBeLessThan(300);
  });
});
