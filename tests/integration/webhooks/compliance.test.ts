import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cartPayload,
  checkoutPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  orderPayload,
  scopesUpdatePayload,
  shopifyNumericId,
  shopRedactPayload,
} from "../../fakes/shopify/payloads";
import { DESKTOP_CHROME_UA, proxyFetch } from "../../fakes/shopify/app-proxy";
import { signSessionToken } from "../../fakes/shopify/session-token";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import prisma from "../../../app/db.server";

/** Mandatory compliance topics and app/scopes_update. */
let server: TestServer;
const shop = "privacy-test.myshopify.com";
const other = "neighbour-shop.myshopify.com";

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 24, 15, minutes));
const line = (properties?: Array<{ name: string; value: string }>) => ({
  variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Oolong Tea", quantity: 1, price: "15.00", properties,
});
const send = (topic: string, payload: unknown, target = shop) => sendWebhook(server.url, server.secret, { topic, shop: target, payload });

interface Person {
  customerId: number;
  email: string;
  e164: string;
  national: string;
  orderId?: number;
}

/** Every table in the database's schema, each row as text. */
async function rowsMentioning(needle: string): Promise<Record<string, number>> {
  const tables = await prisma.$queryRaw<Array<{ table_name: string }>>`
    SELECT CAST(table_name AS text) AS table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`;
  const found: Record<string, number> = {};
  for (const { table_name } of tables) {
    if (table_name.startsWith("_")) continue;
    const [{ count }] = await prisma.$queryRawUnsafe<Array<{ count: bigint }>>(
      `SELECT count(*) AS count FROM "${table_name}" t WHERE t::text ILIKE $1`,
      `%${needle}%`,
    );
    if (Number(count) > 0) found[table_name] = Number(count);
  }
  return found;
}

/**
 * Every table and column of the database, generic so that a column added later is searched too:
 * each row as text, and as its digits alone, so a phone is found however it was written
 * ("+34 699 12 34 56", "699123456", inside JSON).
 */
async function rowsNaming(needles: { text: string[]; digits: string[] }): Promise<Record<string, string[]>> {
  const tables = await prisma.$queryRaw<Array<{ table_name: string }>>`
    SELECT CAST(table_name AS text) AS table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`;
  const found: Record<string, string[]> = {};
  for (const { table_name } of tables) {
    if (table_name.startsWith("_")) continue;
    for (const text of needles.text) {
      const [{ count }] = await prisma.$queryRawUnsafe<Array<{ count: bigint }>>(
        `SELECT count(*) AS count FROM "${table_name}" t WHERE t::text ILIKE $1`, `%${text}%`);
      if (Number(count) > 0) (found[table_name] ??= []).push(text);
    }
    for (const digits of needles.digits) {
      const [{ count }] = await prisma.$queryRawUnsafe<Array<{ count: bigint }>>(
        `SELECT count(*) AS count FROM "${table_name}" t WHERE regexp_replace(t::text, '[^0-9]', '', 'g') LIKE $1`, `%${digits}%`);
      if (Number(count) > 0) (found[table_name] ??= []).push(digits);
    }
  }
  return found;
}

/** A shopper with a history in every part of Rebound: consent, carts, checkouts, orders, messages. */
async function shopperWithHistory(targetShop: string, person: Person) {
  const subscriber = await prisma.subscriber.create({
    data: { shop: targetShop, phone: person.e164, callingCode: "34", countryCode: "ES", email: person.email, customerId: String(person.customerId), status: "subscribed" },
  });
  await prisma.consentEvent.create({
    data: { shop: targetShop, subscriberId: subscriber.id, kind: "opt_in", source: "checkout", text: "WhatsApp me", context: { phone: person.e164 } },
  });
  await prisma.backInStockRequest.create({ data: { shop: targetShop, subscriberId: subscriber.id, variantId: "123" } });
  const cart = cartPayload({ lines: [line()], updatedAt: at(0) });
  await send("carts/create", cart, targetShop);
  const checkout = checkoutPayload({ cartToken: cart.token, email: person.email, phone: person.national, customer: { id: person.customerId, email: person.email, phone: person.e164 }, lines: [line()], updatedAt: at(1) });
  await send("checkouts/create", checkout, targetShop);
  const order = orderPayload({
    id: person.orderId,
    cartToken: cart.token,
    checkoutToken: checkout.token,
    email: person.email,
    shippingPhone: person.national,
    customer: { id: person.customerId, email: person.email, phone: person.e164 },
    lines: [line([{ name: "Gift message", value: `For ${person.email}` }])],
    createdAt: at(2),
  });
  await send("orders/create", order, targetShop);
  const notification = await prisma.notification.create({
    data: {
      shop: targetShop, flow: "abandoned_cart", dedupKey: `cart:${cart.token}`, subscriberId: subscriber.id, sendAt: at(30),
      templateName: "cart_reminder", cartToken: cart.token, params: { body: ["Ana", person.e164] },
      events: { create: [{ shop: targetShop, kind: "sent", detail: { to: person.e164 } }] },
    },
  });
  await prisma.trackedLink.create({ data: { token: `l-${cart.token}`, shop: targetShop, notificationId: notification.id, destination: checkout.abandoned_checkout_url } });
  await prisma.holdoutAssignment.create({ data: { shop: targetShop, flow: "abandoned_cart", subscriberId: subscriber.id, dedupKey: `h:${cart.token}` } });
  await prisma.rateCounter.create({ data: { key: `optin:phone:${targetShop}:${person.e164}`, windowStart: at(0), count: 1 } });
  return { subscriber, cart, checkout, order, notification };
}

beforeAll(async () => {
  server = await startTestServer();
  for (const s of [shop, other]) await prisma.shop.create({ data: { shop: s, countryCode: "ES", settings: { create: {} } } });
});
afterAll(() => server?.stop());

describe("app/scopes_update", () => {
  it("sets the offline session's scopes to what the merchant granted", async () => {
    await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: "shpat_x", scope: "read_products" } });
    const response = await send("app/scopes_update", scopesUpdatePayload({ previous: ["read_products"], current: ["read_products", "read_orders"], updatedAt: at(0) }));
    expect(response.status).toBe(200);
    expect((await prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } })).scope).toBe("read_products,read_orders");
  });
});

describe("customers/data_request and customers/redact", () => {
  const ana: Person = { customerId: shopifyNumericId(), email: "ana.privacy@example.com", e164: "+34612000111", national: "612 000 111" };
  const ben: Person = { customerId: shopifyNumericId(), email: "ben.keeps@example.com", e164: "+34612000222", national: "612 000 222" };

  it("stores a report of everything held about the shopper for the merchant, even after uninstall", async () => {
    const history = await shopperWithHistory(shop, ana);
    await shopperWithHistory(shop, ben);
    await prisma.shop.update({ where: { shop }, data: { status: "uninstalled" } });

    const response = await send("customers/data_request", customersDataRequestPayload({ shop, customer: { id: ana.customerId, email: ana.email, phone: ana.national }, ordersRequested: [history.order.id] }));
    expect(response.status).toBe(200);

    const request = await prisma.dataRequest.findFirstOrThrow({ where: { shop } });
    expect(request).toMatchObject({ customerId: String(ana.customerId), email: ana.email });
    const report = request.report as Record<string, Array<Record<string, unknown>>>;
    expect(report.subscribers.map((s) => s.phone)).toEqual([ana.e164]);
    expect((report.subscribers[0].consentEvents as unknown[]).length).toBe(1);
    expect(report.orders.map((o) => o.id)).toEqual([String(history.order.id)]);
    expect(report.checkouts.map((c) => c.token)).toEqual([history.checkout.token]);
    expect(report.carts.map((c) => c.token)).toEqual([history.cart.token]);
    expect(report.messages.map((m) => m.id)).toEqual([history.notification.id]);
    // Nothing of the other shopper.
    expect(JSON.stringify(report)).not.toContain(ben.email);
    expect(JSON.stringify(report)).not.toContain(ben.e164);

    // The merchant downloads it from the admin; another shop cannot.
    const asShop = (target: string) =>
      fetch(new URL(`/app/data-requests/${request.id}`, server.url), {
        headers: {
          authorization: `Bearer ${signSessionToken({ shop: target, apiKey: server.apiKey, secret: server.secret })}`,
          "user-agent": DESKTOP_CHROME_UA,
        },
      });
    const download = await asShop(shop);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toContain("attachment");
    expect((await download.json()).report.orders[0].id).toBe(String(history.order.id));
    await prisma.session.create({ data: { id: `offline_${other}`, shop: other, state: "", isOnline: false, accessToken: "shpat_y" } });
    expect((await asShop(other)).status).toBe(404);
  });

  it("erases the shopper's phone and email from every table, keeps anonymous figures and other shoppers", async () => {
    const before = await prisma.order.findFirstOrThrow({ where: { shop, email: ana.email } });
    expect(Object.keys(await rowsMentioning(ana.e164)).length).toBeGreaterThan(3);

    const response = await send("customers/redact", customersRedactPayload({ shop, customer: { id: ana.customerId, email: ana.email, phone: ana.national }, ordersToRedact: [Number(before.id)] }));
    expect(response.status).toBe(200);

    const history = await prisma.checkout.findFirstOrThrow({ where: { shop, orderId: before.id } });
    for (const needle of [ana.e164, ana.e164.slice(3), ana.national, ana.email, String(ana.customerId), `checkouts/${history.token}/recover`]) {
      expect(await rowsMentioning(needle), `rows still mentioning ${needle}`).toEqual({});
    }
    const order = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: before.id } }, include: { lineItems: true } });
    expect(order.totalPrice.toString()).toBe(before.totalPrice.toString());
    expect(order.lineItems).toHaveLength(1);
    expect(await prisma.notification.count({ where: { shop } })).toBe(2);
    // The other shopper is untouched.
    expect(await prisma.subscriber.count({ where: { shop, phone: ben.e164 } })).toBe(1);
    expect(await prisma.order.count({ where: { shop, email: ben.email, phone: ben.e164 } })).toBe(1);
    expect(Object.keys(await rowsMentioning(ben.e164)).length).toBeGreaterThan(3);
  });
});

describe("customers/redact of a shopper who opted in on the storefront before ordering as a customer", () => {
  const store = "storefront-first.myshopify.com";
  const zoe = { customerId: shopifyNumericId(), email: "Zuleika.Quintanilla@example.com", national: "699 12 34 56", e164: "+34699123456", name: "Zuleika", surname: "Quintanilla" };
  const needles = { text: [zoe.email, zoe.name, zoe.surname, String(zoe.customerId)], digits: ["699123456"] };

  it("leaves no phone, email or name of theirs anywhere, consent proof included", async () => {
    await prisma.shop.create({ data: { shop: store, name: "Storefront First", countryCode: "ES", settings: { create: {} } } });
    await prisma.session.create({ data: { id: `offline_${store}`, shop: store, state: "", isOnline: false, accessToken: "shpat_z" } });

    // 1. On the storefront: a phone, no Shopify customer, a cart to be reminded of.
    const cart = cartPayload({ lines: [line()], updatedAt: at(0) });
    const optIn = await proxyFetch(server.url, server.secret, { shop: store, path: "/optin" }, {
      contentType: "application/json",
      body: JSON.stringify({
        phone: zoe.national, country: "ES", source: "cart_block", cartToken: cart.token, locale: "es", textVersion: "v1", website: "",
        consentText: "Send me WhatsApp messages from Storefront First about my cart and offers. Reply STOP to opt out.",
      }),
    });
    expect(optIn.status).toBe(200);
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop: store, phone: zoe.e164 } } });
    expect(subscriber.customerId).toBeNull();
    expect(await prisma.consentEvent.count({ where: { shop: store, subscriberId: subscriber.id } })).toBe(1);
    // A product alert too, and a message with a link the shopper tapped.
    await proxyFetch(server.url, server.secret, { shop: store, path: "/optin" }, {
      contentType: "application/json",
      body: JSON.stringify({
        phone: zoe.e164, source: "product_block", variantId: "4001", productId: "3001", locale: "es", textVersion: "v1", website: "",
        consentText: "Send me a WhatsApp message from Storefront First when this is back in stock.",
      }),
    });
    expect(await prisma.backInStockRequest.count({ where: { shop: store, subscriberId: subscriber.id } })).toBe(1);

    // 2. Later, as a Shopify customer: the same cart, checkout and order, phone only on the address.
    await send("carts/create", cart, store);
    const customer = { id: zoe.customerId, email: zoe.email, firstName: zoe.name };
    const checkout = checkoutPayload({ cartToken: cart.token, email: zoe.email, shippingPhone: zoe.national, customer, lines: [line()], updatedAt: at(1) });
    await send("checkouts/create", checkout, store);
    const order = orderPayload({
      cartToken: cart.token, checkoutToken: checkout.token, email: zoe.email, shippingPhone: zoe.national, customer,
      lines: [line([{ name: "Engraving", value: `${zoe.name} ${zoe.surname}` }])], createdAt: at(2),
    });
    await send("orders/create", order, store);
    const message = await prisma.notification.create({
      data: {
        shop: store, flow: "abandoned_cart", dedupKey: `cart:${cart.token}`, subscriberId: subscriber.id, status: "read", sendAt: at(30),
        templateName: "cart_reminder", cartToken: cart.token, params: { body: [zoe.name, zoe.e164] },
        events: { create: [{ shop: store, kind: "sent", detail: { to: zoe.e164 } }] },
      },
    });
    await prisma.trackedLink.create({
      data: { token: `z-${cart.token}`, shop: store, notificationId: message.id, destination: checkout.abandoned_checkout_url, clicks: { create: [{ shop: store, notificationId: message.id }] } },
    });
    // And an access request answered earlier, which copies all of it.
    await send("customers/data_request", customersDataRequestPayload({ shop: store, customer: { id: zoe.customerId, email: zoe.email }, ordersRequested: [order.id] }), store);
    const report = JSON.stringify((await prisma.dataRequest.findFirstOrThrow({ where: { shop: store } })).report);
    expect(report).toContain(zoe.e164);
    expect(report).toContain("consentEvents");
    // One asked for by the order alone, under a customer id the redaction will not name.
    await send("customers/data_request", customersDataRequestPayload({ shop: store, customer: { id: shopifyNumericId() }, ordersRequested: [order.id] }), store);
    expect(await prisma.dataRequest.count({ where: { shop: store } })).toBe(2);

    const before = await rowsNaming(needles);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(["Subscriber", "Checkout", "Order", "OrderLineItem", "Notification", "DataRequest"]));
    const otherShopBefore = await rowsNaming({ text: [shop, other], digits: [] });

    // 3. Shopify names the customer and the order, not the phone.
    const response = await send("customers/redact", customersRedactPayload({ shop: store, customer: { id: zoe.customerId, email: zoe.email }, ordersToRedact: [order.id] }), store);
    expect(response.status).toBe(200);

    expect(await rowsNaming(needles)).toEqual({});
    expect(await rowsNaming({ text: [`checkouts/${checkout.token}/recover`], digits: [] })).toEqual({});
    // The figures stay: the order and its amount, the message, and that consent was given.
    const kept = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: store, id: String(order.id) } } });
    expect(kept.totalPrice.toString()).toBe("15");
    expect(await prisma.notification.count({ where: { shop: store } })).toBeGreaterThanOrEqual(1);
    expect(await prisma.consentEvent.count({ where: { shop: store } })).toBe(0);
    const tally = await prisma.consentTally.findMany({ where: { shop: store } });
    expect(tally.reduce((sum, t) => sum + t.count, 0)).toBe(2);
    expect(tally.every((t) => t.kind === "opt_in")).toBe(true);
    // Other shops are untouched.
    expect(await rowsNaming({ text: [shop, other], digits: [] })).toEqual(otherShopBefore);
  });
});

describe("shop/redact", () => {
  it("erases every row of the shop, sessions included, and nothing of other shops", async () => {
    await shopperWithHistory(other, { customerId: shopifyNumericId(), email: "cy@example.com", e164: "+34612000333", national: "612 000 333" });
    const remaining = await rowsMentioning(shop);
    expect(Object.keys(remaining)).toEqual(expect.arrayContaining(["Shop", "Session", "Order", "Cart", "Subscriber", "WebhookReceipt"]));
    const otherBefore = await rowsMentioning(other);

    const response = await send("shop/redact", shopRedactPayload({ shop }));
    expect(response.status).toBe(200);

    expect(await rowsMentioning(shop)).toEqual({});
    expect(await rowsMentioning(other)).toEqual(otherBefore);
  });
});
