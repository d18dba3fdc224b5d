import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeShopifyAdmin, type FakeShopifyAdmin } from "../../fakes/shopify/admin";
import { orderPayload, productPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import { signSessionToken } from "../../fakes/shopify/session-token";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import { waitForShop } from "../../support/wait";
import prisma from "../../../app/db.server";

/**
 * The cross-sell fallback collection through the running app: the settings page lists the shop's
 * collections from the Admin API, the merchant saves one, and after an orders/paid webhook the
 * planning task reads that collection and recommends its first product the buyer can use.
 */
const SHOP = "upsell-collection.myshopify.com";
const ADMIN_TOKEN = "shpat_upsell_collection";
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

let server: TestServer;
let admin: FakeShopifyAdmin;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;

const ids = {
  beans: shopifyNumericId(),
  draft: shopifyNumericId(),
  soldOut: shopifyNumericId(),
  mug: shopifyNumericId(),
  filters: shopifyNumericId(),
  collection: shopifyNumericId(),
  otherCollection: shopifyNumericId(),
};
const variantOf = Object.fromEntries(Object.keys(ids).map((k) => [k, shopifyNumericId()])) as Record<keyof typeof ids, number>;
const mugSecondVariant = shopifyNumericId();

function adminRequest(path: string, init: { method?: string; form?: Record<string, string> } = {}) {
  return fetch(`${server.url}${path}`, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${signSessionToken({ shop: SHOP, apiKey: server.apiKey, secret: server.secret })}`,
      "user-agent": CHROME_UA,
      ...(init.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
    },
    body: init.form ? new URLSearchParams(init.form) : undefined,
    redirect: "manual",
  });
}

const send = (topic: string, payload: unknown) => sendWebhook(server.url, server.secret, { topic, shop: SHOP, payload });

const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false>, ms?: number) =>
  waitForShop(prisma, SHOP, what, probe, ms);

beforeAll(async () => {
  admin = await startFakeShopifyAdmin();
  admin.store.seedShop({ domain: SHOP, accessToken: ADMIN_TOKEN });
  // Manual order: what the buyer has, a draft, a sold-out one, then two that would do.
  admin.store.seedCollection(SHOP, {
    id: String(ids.collection),
    title: "Brew gear",
    handle: "brew-gear",
    productIds: [ids.beans, ids.draft, ids.soldOut, ids.mug, ids.filters].map(String),
  });
  admin.store.seedCollection(SHOP, { id: String(ids.otherCollection), title: "Accessories", handle: "accessories", productIds: [] });
  snapshot = snapshotBuild();
  server = await startTestServer({ DISPATCHER: "on", SHOPIFY_ADMIN_API_ORIGIN: admin.origin }, { root: snapshot.root });
  await prisma.shop.create({ data: { shop: SHOP, settings: { create: {} } } });
  await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", accessToken: ADMIN_TOKEN, isOnline: false } });
  await prisma.messageTemplate.create({
    data: {
      shop: SHOP,
      name: "you_may_also_like",
      language: "en",
      category: "MARKETING",
      status: "APPROVED",
      // The link button carries the tracked suffix: a template without it does not fit the flow.
      components: [
        { type: "BODY", text: "Pairs with {{2}}: {{1}}" },
        { type: "BUTTONS", buttons: [{ type: "URL", text: "Have a look", url: "https://rebound.example/r/{{1}}" }] },
      ],
    },
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await admin?.close();
  snapshot?.remove();
});

describe("cross-sell fallback collection", () => {
  it("lists the shop's collections on the settings page and stores the one picked", async () => {
    const page = await adminRequest("/app/flows/upsell");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<option value="${ids.collection}">Brew gear</option>`);
    // Sorted by title, as the query asks.
    expect(html.indexOf(">Accessories<")).toBeLessThan(html.indexOf(">Brew gear<"));
    expect(admin.requests.some((r) => r.operationName === "ReboundCollections" && r.status === 200)).toBe(true);

    const saved = await adminRequest("/app/flows/upsell", {
      method: "POST",
      form: {
        enabled: "true",
        holdoutPercent: "0",
        "config.templateName": "you_may_also_like|en",
        "config.delayDays": "3",
        "config.minCoPurchases": "2",
        "config.fallbackProductId": "",
        "config.fallbackCollectionId": String(ids.collection),
        "config.validDays": "7",
      },
    });
    expect(saved.status).toBe(200);
    await saved.text();
    const row = await prisma.flowSetting.findUniqueOrThrow({ where: { shop_flow: { shop: SHOP, flow: "upsell" } } });
    expect(row.enabled).toBe(true);
    expect(row.config).toMatchObject({ fallbackCollectionId: String(ids.collection), fallbackProductId: null, minCoPurchases: 2 });
  });

  it("recommends the collection's first active, in-stock product the buyer lacks once an order is paid", async () => {
    const now = new Date();
    const product = (key: keyof typeof ids, title: string, variants: Array<{ id: number; qty: number }>, status = "active") => ({
      ...productPayload({
        id: ids[key],
        title,
        variants: variants.map((v) => ({ id: v.id, inventoryItemId: shopifyNumericId(), price: "12.00", inventoryQuantity: v.qty })),
        updatedAt: now,
      }),
      status,
    });
    const catalogue = [
      product("beans", "House Beans", [{ id: variantOf.beans, qty: 10 }]),
      product("draft", "Prototype Dripper", [{ id: variantOf.draft, qty: 10 }], "draft"),
      product("soldOut", "Copper Kettle", [{ id: variantOf.soldOut, qty: 0 }]),
      // The mug's first variant is sold out; its second is not.
      product("mug", "Stoneware Mug", [{ id: variantOf.mug, qty: 0 }, { id: mugSecondVariant, qty: 4 }]),
      product("filters", "Paper Filters", [{ id: variantOf.filters, qty: 50 }]),
    ];
    for (const p of catalogue) expect((await send("products/update", p)).status).toBe(200);
    await waitFor("the catalogue", async () => (await prisma.variant.count({ where: { shop: SHOP } })) === 6);

    // One earlier order pairs beans with filters: under the two co-purchases the merchant asked for.
    const earlier = orderPayload({
      phone: "+34600111222",
      customer: { id: shopifyNumericId(), phone: "+34600111222" },
      lines: [
        { variantId: variantOf.beans, productId: ids.beans, title: "House Beans", quantity: 1, price: "12.00" },
        { variantId: variantOf.filters, productId: ids.filters, title: "Paper Filters", quantity: 1, price: "12.00" },
      ],
      createdAt: new Date(now.getTime() - 86_400_000),
      financialStatus: "paid",
    });
    expect((await send("orders/create", earlier)).status).toBe(200);

    const phone = "+34611222333";
    await prisma.subscriber.create({ data: { shop: SHOP, phone, callingCode: "34", status: "subscribed", scope: "marketing" } });
    const order = orderPayload({
      phone,
      lines: [{ variantId: variantOf.beans, productId: ids.beans, title: "House Beans", quantity: 1, price: "12.00" }],
      createdAt: now,
      financialStatus: "paid",
    });
    expect((await send("orders/paid", order)).status).toBe(200);

    const planned = await waitFor("the cross-sell to be planned", () =>
      prisma.notification.findFirst({ where: { shop: SHOP, flow: "upsell", orderId: String(order.id) } }),
    );
    expect(planned.variantId).toBe(String(mugSecondVariant));
    expect(planned.params).toMatchObject({ body: ["Stoneware Mug", "House Beans"] });
    expect(planned.sendAt.getTime() - new Date(order.created_at).getTime()).toBe(3 * 86_400_000);
    const lookups = admin.requests.filter((r) => r.operationName === "ReboundCollectionProducts");
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatchObject({ status: 200, variables: { id: `gid://shopify/Collection/${ids.collection}`, first: 50 } });
  });
});
