import { beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import type { AdminGraphql } from "../../../app/catalog/collections.server";
import { useTestDatabase } from "../../support/database";
import * as orders from "../../../app/flows/orders.server";

const database = useTestDatabase();

/**
 * planAfterOrderPaid's side of the collection fallback: when it asks the Admin API, and what a
 * failed call leaves behind.
 */
let prisma: PrismaClient;

const shop = "upsell-planning.myshopify.com";
const t0 = new Date("2026-07-01T10:00:00Z");
let calls = 0;

const collectionAdmin = (productIds: string[]): AdminGraphql => ({
  graphql: async () => {
    calls += 1;
    const nodes = productIds.map((id) => ({ id: `gid://shopify/Product/${id}` }));
    return new Response(JSON.stringify({ data: { collection: { id: "gid://shopify/Collection/5", products: { nodes } } } }));
  },
});
const failingAdmin: AdminGraphql = {
  graphql: async () => {
    calls += 1;
    return new Response(JSON.stringify({ errors: [{ message: "Throttled" }] }));
  },
};

async function product(id: string, available: number) {
  await prisma.product.create({ data: { shop, id, title: `Product ${id}`, handle: id, status: "active", shopifyUpdatedAt: t0 } });
  await prisma.variant.create({ data: { shop, id: `v-${id}`, productId: id, available, shopifyUpdatedAt: t0 } });
}
async function paidOrder(id: string, subscriberId: string, productIds: string[]) {
  await prisma.order.create({
    data: {
      shop, id, subscriberId, placedAt: t0, shopifyUpdatedAt: t0, totalPrice: 10,
      lineItems: { create: productIds.map((p, i) => ({ id: `${id}-${i}`, productId: p, variantId: `v-${p}`, title: `Product ${p}`, quantity: 1, price: 10 })) },
    },
  });
}

beforeAll(async () => {
  prisma = database.prisma;
  await prisma.shop.create({ data: { shop, settings: { create: {} } } });
  await prisma.flowSetting.createMany({
    data: [
      { shop, flow: "upsell", enabled: true, config: { minCoPurchases: 2, fallbackCollectionId: "5" } },
      { shop, flow: "reorder", enabled: true, config: {} },
    ],
  });
  for (const [id, stock] of [["kettle", 3], ["cups", 0], ["tray", 9], ["beans", 50]] as const) await product(id, stock);
}, 60_000);

async function buyer(phone: string) {
  return prisma.subscriber.create({ data: { shop, phone, callingCode: "34", status: "subscribed", scope: "marketing" } });
}

describe("planning the cross-sell with a fallback collection", () => {
  it("skips the sold-out product and one the collection lists but the app has never seen", async () => {
    const s = await buyer("+34600000101");
    await paidOrder("o-fallback", s.id, ["beans"]);
    calls = 0;
    await orders.planAfterOrderPaid(shop, "o-fallback", t0, async () => collectionAdmin(["unknown", "cups", "tray", "kettle"]));
    expect(calls).toBe(1);
    const upsell = await prisma.notification.findFirstOrThrow({ where: { shop, flow: "upsell", orderId: "o-fallback" } });
    expect(upsell.variantId).toBe("v-tray");
  });

  it("does not ask the Admin API when co-purchases are enough", async () => {
    for (const id of ["pair-1", "pair-2"]) {
      const other = await buyer(`+3460000020${id.slice(-1)}`);
      await paidOrder(id, other.id, ["beans", "kettle"]);
    }
    const s = await buyer("+34600000301");
    await paidOrder("o-pairs", s.id, ["beans"]);
    calls = 0;
    await orders.planAfterOrderPaid(shop, "o-pairs", t0, async () => collectionAdmin(["tray"]));
    expect(calls).toBe(0);
    expect((await prisma.notification.findFirstOrThrow({ where: { shop, flow: "upsell", orderId: "o-pairs" } })).variantId).toBe("v-kettle");
  });

  it("keeps the reorder reminder and fails the task when the Admin API call fails", async () => {
    const s = await buyer("+34600000401");
    await paidOrder("o-fails", s.id, ["tray"]);
    calls = 0;
    await expect(orders.planAfterOrderPaid(shop, "o-fails", t0, async () => failingAdmin)).rejects.toThrow(/Throttled/);
    expect(calls).toBe(1);
    expect(await prisma.notification.count({ where: { shop, flow: "reorder", orderId: "o-fails" } })).toBe(1);
    expect(await prisma.notification.count({ where: { shop, flow: "upsell", orderId: "o-fails" } })).toBe(0);
  });
});
