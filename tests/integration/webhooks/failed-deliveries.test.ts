import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartPayload, orderPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import prisma from "../../../app/db.server";
import { failedWebhooksCommand as command } from "../../../scripts/webhooks-failed";
import { MAX_FAILED_PER_SHOP } from "../../../app/webhooks/failed-deliveries.server";

/**
 * Signed deliveries the app cannot apply are kept (not refused into hours of retries), answered
 * 200, listed and replayed by `npm run webhooks:failed`; bounded per shop.
 */
let server: TestServer;
const shop = "failed-deliveries.myshopify.com";
const at = (minutes: number) => new Date(Date.UTC(2026, 11, 3, 9, minutes));
const line = () => ({ variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Tea", quantity: 1, price: "8.00" });

async function run(args: string[]) {
  const lines: string[] = [];
  const code = await command(args, (text) => lines.push(text));
  return { code, lines };
}

beforeAll(async () => {
  server = await startTestServer();
  await prisma.shop.create({ data: { shop, settings: { create: {} } } });
});
afterAll(() => server?.stop());

describe("signed deliveries that cannot be applied", () => {
  it("keeps one that does not match its topic, answers 200, and keeps it once however often it comes", async () => {
    const { line_items: _omit, ...order } = orderPayload({ lines: [line()], createdAt: at(0) });
    const rawBody = JSON.stringify(order);
    const delivery = { topic: "orders/create", shop, payload: null, rawBody, eventId: "evt-no-lines", webhookId: "wh-1", apiVersion: "2026-10", triggeredAt: at(1) };
    const response = await sendWebhook(server.url, server.secret, delivery);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: "kept" });
    const again = await sendWebhook(server.url, server.secret, { ...delivery, webhookId: "wh-2" });
    expect(again.status).toBe(200);

    const kept = await prisma.failedWebhook.findMany({ where: { shop } });
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ topic: "orders/create", eventId: "evt-no-lines", webhookId: "wh-1", apiVersion: "2026-10", attempts: 2, body: rawBody, bodyEncoding: "utf8" });
    expect(kept[0].triggeredAt?.toISOString()).toBe(at(1).toISOString());
    expect(kept[0].reason).toContain("line_items");
    expect(await prisma.order.count({ where: { shop } })).toBe(0);
    expect(await prisma.webhookReceipt.count({ where: { shop } })).toBe(0);
  });

  it("keeps a signed body that is not JSON, byte for byte", async () => {
    const rawBody = Buffer.from([0x7b, 0x00, 0xff, 0xfe]);
    const response = await sendWebhook(server.url, server.secret, { topic: "carts/update", shop, payload: null, rawBody, eventId: "evt-binary" });
    expect(response.status).toBe(200);
    const kept = await prisma.failedWebhook.findFirstOrThrow({ where: { shop, eventId: "evt-binary" } });
    expect(kept.reason).toBe("body is not JSON");
    expect(Buffer.from(kept.body, "base64")).toEqual(rawBody);
  });

  it("keeps one whose apply fails for good (a price the database cannot hold)", async () => {
    const cart = cartPayload({ lines: [{ ...line(), price: "999999999999999.99", quantity: 2 }], updatedAt: at(2) });
    const response = await sendWebhook(server.url, server.secret, { topic: "carts/update", shop, payload: cart, eventId: "evt-overflow" });
    expect(response.status).toBe(200);
    const kept = await prisma.failedWebhook.findFirstOrThrow({ where: { shop, eventId: "evt-overflow" } });
    expect(kept.reason).toMatch(/^applying it failed: .*22003/);
    expect(kept.reason).not.toContain("999999");
    expect(await prisma.cart.count({ where: { shop, token: cart.token } })).toBe(0);
  });

  it("answers 5xx, keeping nothing, when the database gives up on the transaction; Shopify's retry then applies it", async () => {
    // The database refuses cart writes the way a serialization failure does (SQLSTATE 40001).
    await prisma.$executeRawUnsafe(`CREATE FUNCTION refuse_cart() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = 'serialization_failure'; END $$`);
    await prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_cart BEFORE INSERT ON "Cart" FOR EACH ROW EXECUTE FUNCTION refuse_cart()`);
    const cart = cartPayload({ lines: [line()], updatedAt: at(3) });
    const delivery = { topic: "carts/update", shop, payload: cart, eventId: "evt-transient" };
    try {
      const response = await sendWebhook(server.url, server.secret, delivery);
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(await prisma.failedWebhook.count({ where: { shop, eventId: "evt-transient" } })).toBe(0);
      expect(await prisma.webhookReceipt.count({ where: { eventId: "evt-transient" } })).toBe(0);
    } finally {
      await prisma.$executeRawUnsafe(`DROP TRIGGER refuse_cart ON "Cart"`);
      await prisma.$executeRawUnsafe(`DROP FUNCTION refuse_cart()`);
    }
    const retry = await sendWebhook(server.url, server.secret, delivery);
    expect(await retry.json()).toEqual({ ok: true, outcome: "applied" });
    expect(await prisma.cart.count({ where: { shop, token: cart.token } })).toBe(1);
  });

  it("answers 5xx rather than 200 when a delivery it cannot apply cannot be kept either", async () => {
    await prisma.$executeRawUnsafe(`ALTER TABLE "FailedWebhook" RENAME TO "FailedWebhookAway"`);
    const delivery = { topic: "carts/update", shop, payload: null, rawBody: "[1,2,3]", eventId: "evt-unkeepable" };
    try {
      const response = await sendWebhook(server.url, server.secret, delivery);
      expect(response.status).toBeGreaterThanOrEqual(500);
    } finally {
      await prisma.$executeRawUnsafe(`ALTER TABLE "FailedWebhookAway" RENAME TO "FailedWebhook"`);
    }
    const retry = await sendWebhook(server.url, server.secret, delivery);
    expect(retry.status).toBe(200);
    expect(await prisma.failedWebhook.count({ where: { shop, eventId: "evt-unkeepable" } })).toBe(1);
  });

  it("drops, rather than keeps, one for a shop that is not installed", async () => {
    const other = "not-installed-failed.myshopify.com";
    const response = await sendWebhook(server.url, server.secret, { topic: "carts/update", shop: other, payload: null, rawBody: "{not json" });
    expect(response.status).toBe(200);
    expect(await prisma.failedWebhook.count({ where: { shop: other } })).toBe(0);
  });

  it("lists what is kept and replays a delivery through the same handler once it can be applied", async () => {
    // Shopify's own orders/create example, as a version that rounded its ids had kept it.
    const example = readFileSync(path.join(__dirname, "../../fakes/shopify/examples/orders_create.json"), "utf8");
    const stored = await prisma.failedWebhook.create({
      data: { shop, topic: "orders/create", eventId: "evt-replay", webhookId: "wh-r", apiVersion: "2026-10", body: example, reason: "payload does not match the topic (id: Too big)" },
    });
    const listed = await run([]);
    expect(listed.code).toBe(0);
    expect(listed.lines.find((l) => l.startsWith(stored.id))).toContain("orders/create");
    expect(listed.lines.join("\n")).not.toContain("jon@example.com");

    const replayed = await run(["--replay", stored.id]);
    expect(replayed).toMatchObject({ code: 0, lines: [expect.stringContaining("applied")] });
    const order = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: "820982911946154508" } } });
    expect(order.customerId).toBe("115310627314723954");
    expect(await prisma.failedWebhook.count({ where: { id: stored.id } })).toBe(0);
  });

  it("keeps a delivery that still fails on replay, with the new reason", async () => {
    const kept = await prisma.failedWebhook.findFirstOrThrow({ where: { shop, eventId: "evt-no-lines" } });
    const replayed = await run(["--replay", kept.id]);
    expect(replayed.code).toBe(1);
    expect(replayed.lines[0]).toContain("still failing");
    const after = await prisma.failedWebhook.findUniqueOrThrow({ where: { id: kept.id } });
    expect(after.attempts).toBe(kept.attempts + 1);
    expect(after.reason).toContain("line_items");
  });

  it("keeps at most MAX_FAILED_PER_SHOP per shop; past that Shopify is asked to retry", async () => {
    const full = "full-shop.myshopify.com";
    await prisma.shop.create({ data: { shop: full } });
    await prisma.failedWebhook.createMany({
      data: Array.from({ length: MAX_FAILED_PER_SHOP }, (_, i) => ({
        shop: full, topic: "carts/update", eventId: `fill-${i}`, webhookId: `fill-${i}`, apiVersion: "2026-10", body: "{}", reason: "test",
      })),
    });
    const response = await sendWebhook(server.url, server.secret, { topic: "carts/update", shop: full, payload: null, rawBody: "[]" });
    expect(response.status).toBe(503);
    expect(await prisma.failedWebhook.count({ where: { shop: full } })).toBe(MAX_FAILED_PER_SHOP);
  });

  it("erases a shop's kept deliveries with the rest of its data on shop/redact", async () => {
    await prisma.shop.update({ where: { shop }, data: { status: "uninstalled" } });
    expect(await prisma.failedWebhook.count({ where: { shop } })).toBeGreaterThan(0);
    const response = await sendWebhook(server.url, server.secret, { topic: "shop/redact", shop, payload: { shop_id: 1, shop_domain: shop } });
    expect(response.status).toBe(200);
    expect(await prisma.failedWebhook.count({ where: { shop } })).toBe(0);
  });
});
