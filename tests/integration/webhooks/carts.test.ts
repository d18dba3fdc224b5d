import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartPayload, orderPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import prisma from "../../../app/db.server";

let server: TestServer;
const shop = "carts-test.myshopify.com";

const shirt = () => ({ variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Linen Shirt - M", quantity: 2, price: "39.90" });
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 20, 10, minutes));
const send = (topic: string, payload: unknown, eventId?: string) =>
  sendWebhook(server.url, server.secret, { topic, shop, payload, eventId });

beforeAll(async () => {
  server = await startTestServer();
  await prisma.shop.create({ data: { shop, settings: { create: {} } } });
});
afterAll(() => server?.stop());

describe("carts/create and carts/update", () => {
  it("stores the cart's lines, count and total, and announces the change to the flows", async () => {
    const line = shirt();
    const payload = cartPayload({ lines: [line, { ...shirt(), quantity: 1, price: "12.50" }], updatedAt: at(0) });
    const response = await send("carts/create", payload);
    expect(response.status).toBe(200);

    const cart = await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token: payload.token } } });
    expect(cart.status).toBe("open");
    expect(cart.itemCount).toBe(3);
    expect(cart.totalPrice.toString()).toBe("92.3");
    expect(cart.currency).toBe("USD");
    expect(cart.lines).toEqual([
      { variantId: String(line.variantId), productId: String(line.productId), title: line.title, quantity: 2, price: "39.90" },
      expect.objectContaining({ quantity: 1, price: "12.50" }),
    ]);
    const events = await prisma.task.findMany({ where: { shop, kind: "flows.cart_changed" } });
    expect(events.map((e) => e.payload)).toContainEqual({ cartToken: payload.token });
  });

  it("commits a burst of concurrent deliveries, each cart ending at its newest version", async () => {
    // Deliveries that arrive together are committed together; several of one cart never share a
    // transaction, so each still sees the one before it.
    const tokens = Array.from({ length: 12 }, () => cartPayload({ lines: [], updatedAt: at(0) }).token);
    const deliveries = tokens.flatMap((token) => [3, 1, 2].map((version) => cartPayload({ token, lines: [{ ...shirt(), quantity: version }], updatedAt: at(40 + version) })));
    const eventIds = deliveries.map((_, i) => `burst-${tokens[0]}-${i}`);
    const answers = await Promise.all(deliveries.map((payload, i) => send(i % 2 ? "carts/update" : "carts/create", payload, eventIds[i])));
    expect(answers.map((a) => a.status)).toEqual(deliveries.map(() => 200));
    const carts = await prisma.cart.findMany({ where: { shop, token: { in: tokens } } });
    expect(carts.map((c) => c.itemCount)).toEqual(tokens.map(() => 3));
    expect(await prisma.webhookReceipt.count({ where: { shop, eventId: { in: eventIds } } })).toBe(deliveries.length);
  });

  it("keeps the newest cart when updates arrive out of order", async () => {
    const token = cartPayload({ lines: [], updatedAt: at(0) }).token;
    const newest = cartPayload({ token, lines: [{ ...shirt(), quantity: 5 }], updatedAt: at(30) });
    const older = cartPayload({ token, lines: [{ ...shirt(), quantity: 1 }], updatedAt: at(10) });
    expect((await send("carts/update", newest)).status).toBe(200);
    expect((await send("carts/update", older)).status).toBe(200);

    const cart = await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token } } });
    expect(cart.itemCount).toBe(5);
    expect(cart.shopifyUpdatedAt.toISOString()).toBe(at(30).toISOString());
    // The stale delivery changed nothing, so the flows hear of one change only.
    const events = await prisma.task.findMany({ where: { shop, kind: "flows.cart_changed", payload: { equals: { cartToken: token } } } });
    expect(events).toHaveLength(1);
  });

  it("applies a replayed delivery (same event id) once", async () => {
    const payload = cartPayload({ lines: [shirt()], updatedAt: at(5) });
    const eventId = `evt-${payload.token}`;
    const first = await send("carts/update", payload, eventId);
    const again = await send("carts/update", payload, eventId);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ outcome: "duplicate" });
    expect(await prisma.webhookReceipt.count({ where: { eventId } })).toBe(1);
    expect(await prisma.task.count({ where: { shop, kind: "flows.cart_changed", payload: { equals: { cartToken: payload.token } } } })).toBe(1);
  });

  it("keeps a cart converted once its order is recorded, whichever delivery comes first", async () => {
    const token = cartPayload({ lines: [], updatedAt: at(0) }).token;
    const status = async () => (await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token } } })).status;
    // orders/create before any cart delivery: the first cart row already lands converted.
    expect((await send("orders/create", orderPayload({ cartToken: token, lines: [shirt()], createdAt: at(40) }))).status).toBe(200);
    expect((await send("carts/update", cartPayload({ token, lines: [shirt()], updatedAt: at(20) }))).status).toBe(200);
    expect(await status()).toBe("converted");
    expect((await send("carts/update", cartPayload({ token, lines: [{ ...shirt(), quantity: 4 }], updatedAt: at(30) }))).status).toBe(200);
    expect(await status()).toBe("converted");
    expect((await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token } } })).itemCount).toBe(4);
    // A row left open while its order exists is converted by any delivery, even a stale one.
    await prisma.cart.update({ where: { shop_token: { shop, token } }, data: { status: "open" } });
    expect((await send("carts/update", cartPayload({ token, lines: [shirt()], updatedAt: at(25) }))).status).toBe(200);
    expect(await status()).toBe("converted");
    expect((await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token } } })).itemCount).toBe(4);
  });

  it("marks a cart whose items were all removed as emptied, and reopens it when filled again", async () => {
    const full = cartPayload({ lines: [shirt()], updatedAt: at(1) });
    await send("carts/create", full);
    await send("carts/update", cartPayload({ token: full.token, lines: [], updatedAt: at(2) }));
    let cart = await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token: full.token } } });
    expect(cart).toMatchObject({ status: "emptied", itemCount: 0 });
    expect(cart.totalPrice.toString()).toBe("0");

    await send("carts/update", cartPayload({ token: full.token, lines: [shirt()], updatedAt: at(3) }));
    cart = await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token: full.token } } });
    expect(cart).toMatchObject({ status: "open", itemCount: 2 });
  });

  it("keeps a signed cart payload without a token or updated_at for replay and stores no cart", async () => {
    const payload = cartPayload({ lines: [shirt()], updatedAt: at(4) });
    const { token: _token, ...withoutToken } = payload;
    const response = await send("carts/update", withoutToken);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ outcome: "kept" });
    expect(body.reason).toContain("token");
    const response2 = await send("carts/update", { ...payload, updated_at: "yesterday" });
    expect(response2.status).toBe(200);
    expect((await response2.json()).reason).toContain("updated_at");
    expect(await prisma.cart.count({ where: { shop, token: payload.token } })).toBe(0);
  });
});
