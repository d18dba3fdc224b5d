import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartPayload, checkoutPayload, orderPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import prisma from "../../../app/db.server";

let server: TestServer;
const shop = "orders-test.myshopify.com";

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 21, 9, minutes));
const line = () => ({ variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Espresso Beans 1kg", quantity: 1, price: "24.00" });
const send = (topic: string, payload: unknown) => sendWebhook(server.url, server.secret, { topic, shop, payload });

async function subscriber(phone: string, customerId?: string) {
  return prisma.subscriber.create({ data: { shop, phone, callingCode: phone.slice(1, 3), customerId, status: "subscribed" } });
}

beforeAll(async () => {
  server = await startTestServer();
  // A Spanish shop: national numbers are read as Spanish ones.
  await prisma.shop.create({ data: { shop, countryCode: "ES", currency: "EUR", settings: { create: {} } } });
});
afterAll(() => server?.stop());

describe("checkouts/create and checkouts/update", () => {
  it("records the checkout, links it to its cart and to the subscriber with that phone", async () => {
    const sub = await subscriber("+34612345001");
    const cart = cartPayload({ lines: [line()], updatedAt: at(0) });
    await send("carts/create", cart);
    // Typed the national way, as shoppers do; the shop is in Spain.
    const checkout = checkoutPayload({ cartToken: cart.token, email: "ana@example.com", phone: "612 34 50 01", lines: [line()], updatedAt: at(1), currency: "EUR" });
    expect((await send("checkouts/create", checkout)).status).toBe(200);

    const row = await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop, token: checkout.token } } });
    expect(row).toMatchObject({
      cartToken: cart.token,
      phone: "+34612345001",
      email: "ana@example.com",
      subscriberId: sub.id,
      recoveryUrl: checkout.abandoned_checkout_url,
      currency: "EUR",
      completedAt: null,
    });
    expect(row.totalPrice.toString()).toBe("24");
    const cartRow = await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token: cart.token } } });
    expect(cartRow).toMatchObject({ checkoutToken: checkout.token, subscriberId: sub.id });
    const events = await prisma.task.findMany({ where: { shop, kind: "flows.checkout_changed" } });
    expect(events.map((e) => e.payload)).toContainEqual({ checkoutToken: checkout.token });
  });

  it("links by customer id when the phone is missing, and keeps contact details a later update omits", async () => {
    const customerId = shopifyNumericId();
    const sub = await subscriber("+34612345002", String(customerId));
    const first = checkoutPayload({ email: "leo@example.com", customer: { id: customerId }, lines: [line()], updatedAt: at(2) });
    await send("checkouts/create", first);
    const update = checkoutPayload({ token: first.token, customer: { id: customerId }, lines: [line(), line()], updatedAt: at(3), completedAt: at(3) });
    await send("checkouts/update", update);
    const stale = checkoutPayload({ token: first.token, lines: [line()], updatedAt: at(2) });
    await send("checkouts/update", stale);

    const row = await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop, token: first.token } } });
    expect(row).toMatchObject({ subscriberId: sub.id, email: "leo@example.com", customerId: String(customerId) });
    expect(row.completedAt?.toISOString()).toBe(at(3).toISOString());
    expect((row.lines as unknown[]).length).toBe(2);
  });
});

describe("orders/create and orders/paid", () => {
  it("records the order with its line item properties, converts the cart and completes the checkout", async () => {
    const sub = await subscriber("+34612345003");
    const cart = cartPayload({ lines: [line()], updatedAt: at(10) });
    await send("carts/create", cart);
    const checkout = checkoutPayload({ cartToken: cart.token, lines: [line()], updatedAt: at(11) });
    await send("checkouts/create", checkout);
    const booking = { ...line(), title: "Barista class", properties: [{ name: "Booking date", value: "2026-12-02T10:00" }] };
    // No phone on the order itself: the shipping address has it.
    const order = orderPayload({
      cartToken: cart.token,
      checkoutToken: checkout.token,
      email: "mia@example.com",
      shippingPhone: "+34 612 345 003",
      lines: [booking, line()],
      createdAt: at(12),
      currency: "EUR",
    });
    expect((await send("orders/create", order)).status).toBe(200);

    const row = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: String(order.id) } }, include: { lineItems: true } });
    expect(row).toMatchObject({
      name: order.name,
      phone: "+34612345003",
      email: "mia@example.com",
      subscriberId: sub.id,
      cartToken: cart.token,
      checkoutToken: checkout.token,
      financialStatus: "pending",
      paidAt: null,
      currency: "EUR",
    });
    expect(row.totalPrice.toString()).toBe("48");
    expect(row.placedAt.toISOString()).toBe(at(12).toISOString());
    const bookingLine = row.lineItems.find((l) => l.title === "Barista class");
    expect(bookingLine?.properties).toEqual([{ name: "Booking date", value: "2026-12-02T10:00" }]);
    expect(bookingLine?.variantId).toBe(String(booking.variantId));

    expect((await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token: cart.token } } })).status).toBe("converted");
    const checkoutRow = await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop, token: checkout.token } } });
    expect(checkoutRow.orderId).toBe(String(order.id));
    expect(checkoutRow.completedAt?.toISOString()).toBe(at(12).toISOString());
    // Campaign audiences read the subscriber's order history; a replay must not count twice.
    await sendWebhook(server.url, server.secret, { topic: "orders/create", shop, payload: order });
    const stats = await prisma.subscriber.findUniqueOrThrow({ where: { id: sub.id } });
    expect(stats.orderCount).toBe(1);
    expect(stats.totalSpent.toString()).toBe("48");
    expect(stats.lastOrderAt?.toISOString()).toBe(at(12).toISOString());
    const placed = await prisma.task.findMany({ where: { shop, kind: "flows.order_placed" } });
    expect(placed.map((t) => t.payload)).toContainEqual({ orderId: String(order.id) });

    // A late cart update does not reopen a converted cart.
    await send("carts/update", cartPayload({ token: cart.token, lines: [line()], updatedAt: at(13) }));
    expect((await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token: cart.token } } })).status).toBe("converted");

    const paid = { ...order, financial_status: "paid", updated_at: at(14).toISOString() };
    expect((await send("orders/paid", paid)).status).toBe(200);
    const paidRow = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: String(order.id) } } });
    expect(paidRow.financialStatus).toBe("paid");
    expect(paidRow.paidAt).not.toBeNull();
    const paidEvents = await prisma.task.findMany({ where: { shop, kind: "flows.order_paid" } });
    expect(paidEvents.map((t) => t.payload)).toContainEqual({ orderId: String(order.id) });
  });

  it("records payment when orders/paid arrives before orders/create, and the late create does not undo it", async () => {
    const cart = cartPayload({ lines: [line()], updatedAt: at(20) });
    await send("carts/create", cart);
    const order = orderPayload({ cartToken: cart.token, lines: [line()], createdAt: at(21), updatedAt: at(22), financialStatus: "paid" });
    await send("orders/paid", order);
    await send("orders/create", { ...order, financial_status: "pending", updated_at: at(21).toISOString() });

    const row = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: String(order.id) } }, include: { lineItems: true } });
    expect(row.financialStatus).toBe("paid");
    expect(row.paidAt).not.toBeNull();
    expect(row.lineItems).toHaveLength(1);
    expect((await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token: cart.token } } })).status).toBe("converted");
  });

  it("completes a checkout whose order was recorded first", async () => {
    const token = checkoutPayload({ lines: [line()], updatedAt: at(30) }).token;
    const order = orderPayload({ checkoutToken: token, lines: [line()], createdAt: at(31) });
    await send("orders/create", order);
    await send("checkouts/update", checkoutPayload({ token, lines: [line()], updatedAt: at(30) }));
    const row = await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop, token } } });
    expect(row.orderId).toBe(String(order.id));
    expect(row.completedAt?.toISOString()).toBe(at(31).toISOString());
  });
});
