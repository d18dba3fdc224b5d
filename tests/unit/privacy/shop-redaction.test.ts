import type { PrismaClient } from "@prisma/client";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { eraseShop } from "../../../app/privacy/shop-redaction.server";

const database = useTestDatabase();

let prisma: PrismaClient;

const gone = "erase-me.myshopify.com";
const kept = "keep-me.myshopify.com";
const at = new Date("2026-11-20T10:00:00Z");

async function seed(shop: string) {
  await prisma.shop.create({ data: { shop, settings: { create: {} } } });
  const sub = await prisma.subscriber.create({ data: { shop, phone: "+34612345678", callingCode: "34" } });
  await prisma.consentEvent.create({ data: { shop, subscriberId: sub.id, kind: "opt_in", source: "admin" } });
  await prisma.order.create({ data: { shop, id: "1", placedAt: at, shopifyUpdatedAt: at, lineItems: { create: [{ id: `${shop}-li`, title: "x", quantity: 1, price: 1 }] } } });
  await prisma.task.create({ data: { shop, kind: "flows.cart_changed" } });
  await prisma.dataRequest.create({ data: { shop, report: {} } });
  await prisma.rateCounter.create({ data: { key: `optin:phone:${shop}:+34612345678`, windowStart: at } });
}

beforeAll(async () => {
  prisma = database.prisma;
  await seed(gone);
  await seed(kept);
}, 60_000);

describe("eraseShop", () => {
  it("deletes the shop's rows from every table that has a shop column, and no other shop's", async () => {
    const erased = await prisma.$transaction((tx) => eraseShop(tx, gone));
    expect(erased).toMatchObject({ Shop: 1, ShopSettings: 1, Subscriber: 1, Order: 1, Task: 1, DataRequest: 1, RateCounter: 1 });
    // Every model with a shop column was visited, so a new model cannot be forgotten.
    expect(Object.keys(erased)).toEqual(expect.arrayContaining(["Session", "Cart", "Checkout", "Variant", "InventoryLevel", "Notification", "WebhookReceipt"]));
    expect(await prisma.consentEvent.count({ where: { shop: gone } })).toBe(0);
    expect(await prisma.orderLineItem.count({ where: { shop: gone } })).toBe(0);
    expect(await prisma.subscriber.count({ where: { shop: kept } })).toBe(1);
    expect(await prisma.orderLineItem.count({ where: { shop: kept } })).toBe(1);
    expect(await prisma.rateCounter.count()).toBe(1);
  });
});
