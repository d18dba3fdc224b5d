import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeShopifyAdmin, type FakeShopifyAdmin } from "../../fakes/shopify/admin";
import { inventoryLevelPayload, productPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import prisma from "../../../app/db.server";
import { createAppTaskRegistry } from "../../../app/background.server";
import * as runner from "../../../app/tasks/runner.server";

// The app's registry, as the web process and workers build it at start-up.
const registry = createAppTaskRegistry();
const runDueTasks = (owner: string, options?: runner.RunnerOptions) => runner.runDueTasks(owner, registry, options);

let server: TestServer;
let admin: FakeShopifyAdmin;
const shop = "catalog-test.myshopify.com";
const TOKEN = "shpat_catalog_test_token";

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 22, 8, minutes));
const send = (topic: string, payload: unknown, eventId?: string) =>
  sendWebhook(server.url, server.secret, { topic, shop, payload, eventId });
const restocks = () => prisma.task.findMany({ where: { shop, kind: "flows.variant_restocked" }, orderBy: { createdAt: "asc" } });

beforeAll(async () => {
  admin = await startFakeShopifyAdmin();
  admin.store.seedShop({ domain: shop, accessToken: TOKEN });
  server = await startTestServer({ SHOPIFY_ADMIN_API_ORIGIN: admin.origin });
  await prisma.shop.create({ data: { shop, settings: { create: {} } } });
  await prisma.session.create({
    data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: TOKEN, scope: "read_products,read_inventory" },
  });
});
afterAll(async () => {
  await server?.stop();
  await admin?.close();
});

describe("products/update", () => {
  it("stores the product, its image and its variants with inventory item ids, stock and policy", async () => {
    const payload = productPayload({
      id: shopifyNumericId(),
      title: "Ceramic Pour-Over",
      imageSrc: "https://cdn.example/pour-over.jpg",
      variants: [
        { id: shopifyNumericId(), inventoryItemId: shopifyNumericId(), price: "35.00", title: "White", inventoryQuantity: 4 },
        { id: shopifyNumericId(), inventoryItemId: shopifyNumericId(), price: "37.50", title: "Black", inventoryQuantity: 0, inventoryPolicy: "continue" },
      ],
      updatedAt: at(0),
    });
    expect((await send("products/update", payload)).status).toBe(200);

    const product = await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop, id: String(payload.id) } } });
    expect(product).toMatchObject({ title: "Ceramic Pour-Over", handle: "ceramic-pour-over", status: "active", imageUrl: "https://cdn.example/pour-over.jpg" });
    const variants = await prisma.variant.findMany({ where: { shop, productId: String(payload.id) }, orderBy: { title: "desc" } });
    expect(variants.map((v) => [v.title, v.inventoryItemId, v.available, v.inventoryPolicy, v.price.toString()])).toEqual([
      ["White", String(payload.variants[0].inventory_item_id), 4, "deny", "35"],
      ["Black", String(payload.variants[1].inventory_item_id), 0, "continue", "37.5"],
    ]);

    // An older payload for the same product changes nothing; a newer one drops a deleted variant.
    await send("products/update", { ...payload, title: "Old title", updated_at: at(-5).toISOString() });
    expect((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop, id: String(payload.id) } } })).title).toBe("Ceramic Pour-Over");
    await send("products/update", { ...payload, variants: [payload.variants[0]], updated_at: at(5).toISOString() });
    expect(await prisma.variant.count({ where: { shop, productId: String(payload.id) } })).toBe(1);
  });
});

describe("inventory_levels/update", () => {
  it("sums a known variant's levels across locations and announces the restock once", async () => {
    const item = shopifyNumericId();
    const variantId = shopifyNumericId();
    await send("products/update", productPayload({ id: shopifyNumericId(), title: "Grinder", variants: [{ id: variantId, inventoryItemId: item, price: "99.00", inventoryQuantity: 0 }], updatedAt: at(0) }));
    const [madrid, lisbon] = [shopifyNumericId(), shopifyNumericId()];

    const restockEvent = `restock-${item}`;
    await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: item, locationId: madrid, available: 3, updatedAt: at(1) }), restockEvent);
    await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: item, locationId: lisbon, available: 2, updatedAt: at(2) }));
    // Out of order: an older level for Madrid must not replace the newer one.
    await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: item, locationId: madrid, available: 0, updatedAt: at(0) }));

    const variant = await prisma.variant.findUniqueOrThrow({ where: { shop_id: { shop, id: String(variantId) } } });
    expect(variant.available).toBe(5);
    const events = (await restocks()).filter((t) => (t.payload as { variantId: string }).variantId === String(variantId));
    expect(events.map((t) => t.payload)).toEqual([{ variantId: String(variantId), available: 3, restockId: restockEvent }]);

    // Sold out, then back: a second restock with its own id.
    await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: item, locationId: madrid, available: 0, updatedAt: at(3) }));
    await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: item, locationId: lisbon, available: 0, updatedAt: at(4) }));
    expect((await prisma.variant.findUniqueOrThrow({ where: { shop_id: { shop, id: String(variantId) } } })).available).toBe(0);
    await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: item, locationId: lisbon, available: 7, updatedAt: at(5) }), `again-${item}`);
    const after = (await restocks()).filter((t) => (t.payload as { variantId: string }).variantId === String(variantId));
    expect(after.map((t) => (t.payload as { restockId: string }).restockId)).toEqual([restockEvent, `again-${item}`]);
  });

  it("writes nothing for a second delivery of an event, for a known item or an unknown one", async () => {
    const item = shopifyNumericId();
    const variantId = shopifyNumericId();
    await send("products/update", productPayload({ id: shopifyNumericId(), title: "Kettle", variants: [{ id: variantId, inventoryItemId: item, price: "60.00", inventoryQuantity: 0 }], updatedAt: at(0) }));
    const location = shopifyNumericId();
    const eventId = `level-${item}`;
    expect(await (await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: item, locationId: location, available: 0, updatedAt: at(1) }), eventId)).json()).toMatchObject({ outcome: "applied" });
    // The same event id with a newer body: were the writes not guarded by the receipt, this
    // would store 9 and announce a restock.
    const again = await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: item, locationId: location, available: 9, updatedAt: at(2) }), eventId);
    expect(await again.json()).toMatchObject({ outcome: "duplicate" });
    expect((await prisma.variant.findUniqueOrThrow({ where: { shop_id: { shop, id: String(variantId) } } })).available).toBe(0);
    expect((await restocks()).filter((t) => (t.payload as { variantId: string }).variantId === String(variantId))).toEqual([]);

    const unknown = shopifyNumericId();
    const lookups = () => prisma.task.count({ where: { shop, kind: "catalog.resolve_inventory_item", payload: { path: ["inventoryItemId"], equals: String(unknown) } } });
    await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: unknown, locationId: location, available: 4, updatedAt: at(1) }), `level-${unknown}`);
    expect(await lookups()).toBe(1);
    await prisma.task.deleteMany({ where: { shop, kind: "catalog.resolve_inventory_item", payload: { path: ["inventoryItemId"], equals: String(unknown) } } });
    await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: unknown, locationId: location, available: 4, updatedAt: at(1) }), `level-${unknown}`);
    expect(await lookups()).toBe(0);
  });

  it("adds up levels from many locations arriving at once", async () => {
    const item = shopifyNumericId();
    const variantId = shopifyNumericId();
    await send("products/update", productPayload({ id: shopifyNumericId(), title: "Scale", variants: [{ id: variantId, inventoryItemId: item, price: "20.00", inventoryQuantity: 0 }], updatedAt: at(0) }));
    const levels = [1, 2, 3, 4, 5, 6];
    const answers = await Promise.all(
      levels.map((available) => send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: item, locationId: shopifyNumericId(), available, updatedAt: at(1) }))),
    );
    expect(answers.map((a) => a.status)).toEqual(levels.map(() => 200));
    expect((await prisma.variant.findUniqueOrThrow({ where: { shop_id: { shop, id: String(variantId) } } })).available).toBe(21);
    const events = (await restocks()).filter((t) => (t.payload as { variantId: string }).variantId === String(variantId));
    expect(events).toHaveLength(1);
  });

  it("resolves an unknown inventory item through the Admin API in the background, then announces the restock", async () => {
    const item = shopifyNumericId();
    const variantId = shopifyNumericId();
    const productId = shopifyNumericId();
    admin.store.seedProduct(shop, {
      id: String(productId),
      title: "Moka Pot",
      handle: "moka-pot",
      featuredImageUrl: "https://cdn.example/moka.jpg",
      variants: [{ id: String(variantId), title: "6 cups", sku: "MOKA-6", price: "42.00", inventoryItemId: String(item) }],
    });
    const eventId = `unknown-item-${item}`;
    const started = Date.now();
    const response = await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: item, locationId: shopifyNumericId(), available: 6, updatedAt: at(10) }), eventId);
    expect(response.status).toBe(200);
    // The webhook answered without waiting for the Admin API.
    expect(admin.requests.filter((r) => r.operationName === "ReboundInventoryItem")).toHaveLength(0);
    expect(Date.now() - started).toBeLessThan(2000);
    // The same item at a second location before the lookup ran: still one lookup.
    await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: item, locationId: shopifyNumericId(), available: 4, updatedAt: at(10) }));
    expect(await prisma.inventoryLevel.count({ where: { shop, inventoryItemId: String(item) } })).toBe(2);
    const tasks = await prisma.task.findMany({ where: { shop, kind: "catalog.resolve_inventory_item" } });
    expect(tasks.map((t) => t.payload)).toEqual([{ inventoryItemId: String(item), eventId }]);
    const task = tasks[0];

    await runDueTasks("catalog-test");

    const done = await prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(done.lastError).toBeNull();
    expect(done.status).toBe("done");
    expect(admin.requests.filter((r) => r.operationName === "ReboundInventoryItem")).toEqual([
      expect.objectContaining({ shop, status: 200, variables: { id: `gid://shopify/InventoryItem/${item}` } }),
    ]);
    const variant = await prisma.variant.findUniqueOrThrow({ where: { shop_id: { shop, id: String(variantId) } } });
    expect(variant).toMatchObject({ productId: String(productId), inventoryItemId: String(item), available: 10, sku: "MOKA-6", title: "6 cups" });
    const product = await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop, id: String(productId) } } });
    expect(product).toMatchObject({ title: "Moka Pot", handle: "moka-pot", imageUrl: "https://cdn.example/moka.jpg" });
    const events = (await restocks()).filter((t) => (t.payload as { variantId: string }).variantId === String(variantId));
    expect(events.map((t) => t.payload)).toEqual([{ variantId: String(variantId), available: 10, restockId: eventId }]);

    // A later products/update (real updated_at) replaces what the lookup filled in.
    await send("products/update", productPayload({ id: productId, title: "Moka Pot Classic", variants: [{ id: variantId, inventoryItemId: item, price: "45.00", inventoryQuantity: 10 }], updatedAt: at(11) }));
    expect((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop, id: String(productId) } } })).title).toBe("Moka Pot Classic");
    const refreshed = await prisma.variant.findUniqueOrThrow({ where: { shop_id: { shop, id: String(variantId) } } });
    expect(refreshed.available).toBe(10);
    expect(refreshed.price.toString()).toBe("45");
  });

  it("keeps retrying, without inventing a variant, when the Admin API refuses the token", async () => {
    const item = shopifyNumericId();
    await prisma.session.update({ where: { id: `offline_${shop}` }, data: { accessToken: "shpat_revoked" } });
    try {
      await send("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: item, locationId: shopifyNumericId(), available: 1, updatedAt: at(20) }));
      await runDueTasks("catalog-test");
      const task = await prisma.task.findFirstOrThrow({ where: { shop, kind: "catalog.resolve_inventory_item", payload: { path: ["inventoryItemId"], equals: String(item) } } });
      expect(task.status).toBe("queued");
      expect(task.lastError).toBeTruthy();
      expect(admin.requests.at(-1)?.status).toBe(401);
      expect(await prisma.variant.count({ where: { shop, inventoryItemId: String(item) } })).toBe(0);
    } finally {
      await prisma.session.update({ where: { id: `offline_${shop}` }, data: { accessToken: TOKEN } });
    }
  });
});
