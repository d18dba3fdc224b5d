import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cartPayload, customersDataRequestPayload, shopifyNumericId, shopRedactPayload } from "../../fakes/shopify/payloads";
import { sendWebhook, webhookPath, webhookRequest } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import prisma from "../../../app/db.server";

/**
 * A signed delivery is only applied to what it is about: its endpoint's topic, the shop that
 * delivered it, and no shop that has (re)installed the app since it was triggered. Every refused
 * or ignored delivery leaves the database exactly as it was.
 */
let server: TestServer;
const shop = "bound-test.myshopify.com";
const other = "bound-other.myshopify.com";
const hour = 3_600_000;

/** Row counts of every table: "nothing changed" is checked against all of them. */
async function snapshot(): Promise<Record<string, number>> {
  const tables = await prisma.$queryRaw<Array<{ table_name: string }>>`
    SELECT CAST(table_name AS text) AS table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_%'`;
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [{ count }] = await prisma.$queryRawUnsafe<Array<{ count: bigint }>>(`SELECT count(*) AS count FROM "${table_name}"`);
    counts[table_name] = Number(count);
  }
  return counts;
}

async function shopRow(target: string) {
  return prisma.shop.findUniqueOrThrow({ where: { shop: target }, select: { status: true, uninstalledAt: true, sendingPausedReason: true } });
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

beforeEach(async () => {
  for (const s of [shop, other]) {
    await prisma.session.deleteMany({ where: { shop: s } });
    await prisma.shop.deleteMany({ where: { shop: s } });
    await prisma.shop.create({ data: { shop: s, installedAt: new Date(Date.now() - hour), settings: { create: {} } } });
    await prisma.session.create({ data: { id: `offline_${s}`, shop: s, state: "", isOnline: false, accessToken: "shpat_x" } });
  }
});

describe("deliveries bound to what they claim", () => {
  it("refuses, with 400, a delivery posted to another topic's endpoint", async () => {
    const before = await snapshot();
    const payload = cartPayload({ lines: [{ variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Tea", quantity: 1, price: "5.00" }], updatedAt: new Date() });
    const { body, headers } = webhookRequest({ topic: "carts/update", shop, payload }, server.secret);
    const response = await fetch(new URL(webhookPath("orders/paid"), server.url), { method: "POST", headers, body: String(body) });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain("orders/paid");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a compliance payload that names another shop than X-Shopify-Shop-Domain", async () => {
    const before = await snapshot();
    const payload = customersDataRequestPayload({ shop: other, customer: { id: shopifyNumericId(), email: "someone@example.com" } });
    const response = await sendWebhook(server.url, server.secret, { topic: "customers/data_request", shop, payload });
    expect(response.status).toBe(400);
    const redact = await sendWebhook(server.url, server.secret, { topic: "shop/redact", shop: other, payload: shopRedactPayload({ shop }) });
    expect(redact.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses an app/uninstalled whose shop object is another shop", async () => {
    const before = await snapshot();
    const response = await sendWebhook(server.url, server.secret, { topic: "app/uninstalled", shop, payload: { id: 1, myshopify_domain: other, domain: "other-brand.example" } });
    expect(response.status).toBe(400);
    expect(await snapshot()).toEqual(before);
    expect((await shopRow(shop)).status).toBe("installed");
  });

  it("accepts an app/uninstalled whose primary domain is a custom one", async () => {
    const response = await sendWebhook(server.url, server.secret, { topic: "app/uninstalled", shop, payload: { id: 1, myshopify_domain: shop, domain: "brand.example" } });
    expect(response.status).toBe(200);
    expect((await shopRow(shop)).status).toBe("uninstalled");
  });

  it("never erases a shop that is installed: shop/redact is ignored with 200", async () => {
    await prisma.order.create({ data: { id: "1", shop, totalPrice: "5.00", placedAt: new Date(), shopifyUpdatedAt: new Date() } });
    const before = await snapshot();
    const response = await sendWebhook(server.url, server.secret, { topic: "shop/redact", shop, payload: shopRedactPayload({ shop }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ignored: "shop is installed" });
    expect(await snapshot()).toEqual(before);
    expect(await prisma.order.count({ where: { shop } })).toBe(1);
  });

  it("ignores a late app/uninstalled triggered before the latest install", async () => {
    const before = await snapshot();
    const response = await sendWebhook(server.url, server.secret, {
      topic: "app/uninstalled", shop, payload: { id: 1, myshopify_domain: shop }, triggeredAt: new Date(Date.now() - 2 * hour),
    });
    expect(response.status).toBe(200);
    expect((await response.json()).ignored).toContain("before the shop's latest install");
    expect(await snapshot()).toEqual(before);
    expect(await shopRow(shop)).toEqual({ status: "installed", uninstalledAt: null, sendingPausedReason: null });
    expect(await prisma.session.count({ where: { shop } })).toBe(1);

    // One triggered after the install still uninstalls.
    const current = await sendWebhook(server.url, server.secret, { topic: "app/uninstalled", shop, payload: { id: 1, myshopify_domain: shop } });
    expect(current.status).toBe(200);
    expect((await shopRow(shop)).status).toBe("uninstalled");
  });
});
