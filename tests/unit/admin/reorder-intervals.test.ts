import { beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import type { AdminGraphql } from "../../../app/catalog/collections.server";
import { useTestDatabase } from "../../support/database";
import * as orders from "../../../app/flows/orders.server";
import * as intervals from "../../../app/admin/reorder-intervals.server";

const database = useTestDatabase();

/**
 * The reorder page's "interval in use" against what the planner schedules for the same shop and
 * the same orders: the merchant's interval, one learned from repeat orders (with a same-day
 * repeat that must not count), and the default when there are too few repeats.
 */
let prisma: PrismaClient;

const shop = "reorder-intervals.myshopify.com";
const D = 86_400_000;
const t0 = new Date("2026-09-01T10:00:00Z");
const noAdmin: AdminGraphql = { graphql: async () => { throw new Error("the Admin API is not needed here"); } };

let seq = 0;
async function order(buyer: { customerId?: string; subscriberId?: string }, placedAt: Date, productIds: string[]) {
  const id = `o-${++seq}`;
  await prisma.order.create({
    data: {
      shop, id, ...buyer, placedAt, shopifyUpdatedAt: placedAt, totalPrice: 10,
      lineItems: { create: productIds.map((p, i) => ({ id: `${id}-${i}`, productId: p, variantId: `v-${p}`, title: p, quantity: 1, price: 10 })) },
    },
  });
  return id;
}

/** Orders by one customer separated by these gaps in days, ending well before t0. */
async function history(customerId: string, productId: string, gapsDays: number[]) {
  let at = new Date(t0.getTime() - 400 * D);
  await order({ customerId }, at, [productId]);
  for (const gap of gapsDays) {
    at = new Date(at.getTime() + gap * D);
    await order({ customerId }, at, [productId]);
  }
}

beforeAll(async () => {
  prisma = database.prisma;
  await prisma.shop.create({ data: { shop, settings: { create: {} } } });
  await prisma.flowSetting.create({ data: { shop, flow: "reorder", enabled: true, config: { defaultDays: 30, minSamples: 5 } } });
  for (const [id, days] of [["beans", 10], ["filters", null], ["grinder", null]] as const) {
    await prisma.product.create({ data: { shop, id, title: id, handle: id, status: "active", replenishmentDays: days, shopifyUpdatedAt: t0 } });
    await prisma.variant.create({ data: { shop, id: `v-${id}`, productId: id, available: 5, shopifyUpdatedAt: t0 } });
  }
  // Enough repeats to learn beans too, but the merchant's 10 days wins.
  await history("c-beans", "beans", [7, 7, 7, 7, 7]);
  // Median of 20..28 is 24; counting the same-day repeat would make it 23.
  await history("c-filters", "filters", [20, 22, 0.2, 24, 26, 28]);
  await history("c-grinder", "grinder", [15]);
}, 60_000);

describe("reorder interval in use", () => {
  it("matches the interval the planner schedules, for a merchant, learned and default interval", async () => {
    const subscriber = await prisma.subscriber.create({ data: { shop, phone: "+34600000901", callingCode: "34", status: "subscribed", scope: "marketing" } });
    const orderId = await order({ subscriberId: subscriber.id }, t0, ["beans", "filters", "grinder"]);

    const listed = await intervals.listReorderIntervals(shop, { defaultDays: 30, minSamples: 5 });
    expect(listed.map((p) => [p.productId, p.days, p.source, p.samples])).toEqual([
      ["filters", 24, "learned", 5],
      ["beans", 10, "merchant", 5],
      ["grinder", 30, "default", 1],
    ]);

    await orders.planAfterOrderPaid(shop, orderId, t0, async () => noAdmin);
    const planned = await prisma.notification.findMany({ where: { shop, flow: "reorder", orderId } });
    const plannedDays = Object.fromEntries(planned.map((n) => [n.variantId!.slice(2), (n.sendAt.getTime() - t0.getTime()) / D]));
    expect(plannedDays).toEqual(Object.fromEntries(listed.map((p) => [p.productId, p.days])));
  });

  it("finds any product of the shop by name, ordered or not, taking % and _ literally", async () => {
    await prisma.product.create({ data: { shop, id: "mill", title: "Burr Mill 50%", handle: "mill", status: "active", shopifyUpdatedAt: t0 } });
    await prisma.product.create({ data: { shop: "other-intervals.myshopify.com", id: "mill", title: "Burr Mill", handle: "mill", shopifyUpdatedAt: t0 } });
    const config = { defaultDays: 30, minSamples: 5 };
    const found = await intervals.listReorderIntervals(shop, config, { search: "  MILL " });
    expect(found.map((p) => [p.productId, p.orders, p.days, p.source])).toEqual([["mill", 0, 30, "default"]]);
    expect((await intervals.listReorderIntervals(shop, config, { search: "50%" })).map((p) => p.productId)).toEqual(["mill"]);
    expect(await intervals.listReorderIntervals(shop, config, { search: "mill%5" })).toEqual([]);
    expect(await intervals.listReorderIntervals(shop, config, { search: "b_ans" })).toEqual([]);
    expect((await intervals.listReorderIntervals(shop, config, { search: "e" })).map((p) => p.productId)).toEqual(["filters", "beans", "grinder"]);
    // Without a search the never-ordered product stays out of the most-ordered list.
    expect((await intervals.listReorderIntervals(shop, config)).map((p) => p.productId)).not.toContain("mill");
  });
});
