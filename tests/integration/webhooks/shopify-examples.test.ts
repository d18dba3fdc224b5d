import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribedTopics } from "../../fakes/shopify/app-config";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import prisma from "../../../app/db.server";
import { inventoryItemGid } from "../../../app/catalog/inventory-item.server";

/**
 * Shopify's own published example payload of every subscribed topic (tests/fakes/shopify/examples),
 * sent byte for byte, signed as Shopify signs, to the real server for an installed shop: each is
 * answered 2xx, applied, and its 64-bit ids (several above 2^53) land in the database digit for
 * digit. A JSON.parse that rounds, or a schema stricter than what Shopify sends, fails here.
 */
let server: TestServer;
const shop = "examples-test.myshopify.com";
const EXAMPLES = path.join(__dirname, "../../fakes/shopify/examples");

const exampleFile = (topic: string) => `${topic.replace("/", "_")}.json`;

/** The example's text; `{shop}.myshopify.com` stands for the delivering shop in Shopify's examples. */
const example = (topic: string) => readFileSync(path.join(EXAMPLES, exampleFile(topic)), "utf8").replaceAll("{shop}.myshopify.com", shop);

/** Topics whose example the tests below delivered and saw applied. */
const delivered = new Set<string>();

async function deliver(topic: string) {
  const response = await sendWebhook(server.url, server.secret, { topic, shop, payload: null, rawBody: example(topic) });
  const body = await response.json();
  expect({ status: response.status, body }).toMatchObject({ status: 200 });
  expect(body.outcome, JSON.stringify(body)).toBe("applied");
  expect(await prisma.failedWebhook.count({ where: { shop } })).toBe(0);
  delivered.add(topic);
}

beforeAll(async () => {
  server = await startTestServer();
  await prisma.shop.create({ data: { shop, countryCode: "US", settings: { create: {} } } });
  await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: "shpat_x", scope: "read_products" } });
});
afterAll(() => server?.stop());

describe("the examples", () => {
  it("cover every topic shopify.app.toml subscribes to, compliance topics included, and nothing else", () => {
    const topics = subscribedTopics();
    expect(topics).toEqual(expect.arrayContaining(["carts/update", "customers/update", "customers/redact", "shop/redact"]));
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".json"));
    expect(topics.filter((t) => !files.includes(exampleFile(t))), "subscribed topics without an example file").toEqual([]);
    expect(files.filter((f) => !topics.some((t) => exampleFile(t) === f)), "example files of no subscribed topic").toEqual([]);
  });
});

describe("Shopify's example payloads, as Shopify sends them", () => {
  it.each(["carts/create", "carts/update"])("%s stores the cart with its exact variant and product ids", async (topic) => {
    await deliver(topic);
    const cart = await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop, token: "exampleCartId" } } });
    expect(cart.lines).toEqual([
      { variantId: "704912205188288575", productId: "788032119674292922", title: "Example T-Shirt - Small", quantity: 3, price: "19.99" },
    ]);
    expect(cart.totalPrice.toString()).toBe("59.97");
  });

  it.each(["checkouts/create", "checkouts/update"])("%s stores the checkout with its exact customer id", async (topic) => {
    await deliver(topic);
    const checkout = await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop, token: "123123123" } } });
    expect(checkout.customerId).toBe("603851970716743426");
    expect(checkout.cartToken).toBe("eeafa272cebfd4b22385bc4b645e762c");
    expect(checkout.totalPrice.toString()).toBe("421.88");
  });

  it.each(["orders/create", "orders/paid", "orders/cancelled"])("%s stores the order and its line items with exact ids", async (topic) => {
    await deliver(topic);
    const order = await prisma.order.findUniqueOrThrow({
      where: { shop_id: { shop, id: "820982911946154508" } },
      include: { lineItems: { orderBy: { id: "asc" } } },
    });
    expect(order.customerId).toBe("115310627314723954");
    expect(order.totalPrice.toString()).toBe("404.95");
    expect(order.cancelledAt).not.toBeNull();
    expect(order.lineItems.map((l) => [l.id, l.productId])).toEqual([
      ["315789986012684393", "788032119674292922"],
      ["487817672276298554", "788032119674292922"],
      ["789012345678901234", null],
      ["890123456789012345", null],
      ["976318377106520349", "788032119674292922"],
    ]);
    if (topic === "orders/paid") expect(order.paidAt).not.toBeNull();
  });

  it("products/update stores the product and its variants with exact ids", async () => {
    await deliver("products/update");
    const product = await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop, id: "788032119674292922" } } });
    expect(product.title).toBe("Example T-Shirt");
    const variants = await prisma.variant.findMany({ where: { shop, productId: "788032119674292922" }, orderBy: { id: "asc" } });
    expect(variants.map((v) => [v.id, v.available, v.price.toString()])).toEqual([
      ["642667041472713922", 75, "19.99"],
      ["757650484644203962", 50, "19.99"],
    ]);
  });

  it("inventory_levels/update stores the level under the exact inventory item id and looks the item up by its exact GID", async () => {
    await deliver("inventory_levels/update");
    const level = await prisma.inventoryLevel.findUniqueOrThrow({
      where: { shop_inventoryItemId_locationId: { shop, inventoryItemId: "271878346596884015", locationId: "24826418" } },
    });
    expect(level.available).toBe(10);
    // The item is unknown, so it is resolved through the Admin API in the background, by this id.
    const task = await prisma.task.findFirstOrThrow({ where: { shop, kind: "catalog.resolve_inventory_item" } });
    expect(task.payload).toMatchObject({ inventoryItemId: "271878346596884015" });
    expect(inventoryItemGid((task.payload as { inventoryItemId: string }).inventoryItemId)).toBe("gid://shopify/InventoryItem/271878346596884015");
  });

  it("customers/update queues the consent read of the subscriber linked to its exact customer id", async () => {
    const customerId = "706405506930370084"; // above 2^53: a rounded id would reach no subscriber
    // The example's updated_at is 2021-12-31; consent recorded before it is older than the change.
    const subscriber = await prisma.subscriber.create({ data: { shop, phone: "+34600900001", callingCode: "34", countryCode: "ES", status: "subscribed", customerId } });
    await prisma.consentEvent.create({
      data: { shop, subscriberId: subscriber.id, kind: "opt_in", source: "cart_block", text: "Offers on WhatsApp", textVersion: "v1", occurredAt: new Date("2021-06-01T00:00:00Z") },
    });
    await deliver("customers/update");
    const tasks = await prisma.task.findMany({ where: { shop, kind: "consent.read_shopify_customer" } });
    expect(tasks.map((t) => t.payload)).toEqual([{ customerId }]);
  });

  it("app/scopes_update sets the offline session's scopes", async () => {
    await deliver("app/scopes_update");
    expect((await prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } })).scope).toBe("read_products,write_products");
  });

  it("customers/data_request stores a report for the merchant", async () => {
    await deliver("customers/data_request");
    const request = await prisma.dataRequest.findFirstOrThrow({ where: { shop } });
    expect(request.customerId).toBe("191167");
  });

  it("customers/redact is applied", async () => {
    await deliver("customers/redact");
    expect(await prisma.webhookReceipt.count({ where: { shop, topic: "CUSTOMERS_REDACT" } })).toBe(1);
  });

  it("app/uninstalled uninstalls the shop", async () => {
    await deliver("app/uninstalled");
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop } })).status).toBe("uninstalled");
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
  });

  it("shop/redact, 48 hours after the uninstall, erases the shop", async () => {
    await deliver("shop/redact");
    expect(await prisma.shop.count({ where: { shop } })).toBe(0);
    expect(await prisma.order.count({ where: { shop } })).toBe(0);
  });

  // Last, after every delivery above: a topic given an example file must also be given a test here.
  it("replayed the example of every subscribed topic", () => {
    expect([...delivered].sort()).toEqual([...subscribedTopics()].sort());
  });
});
