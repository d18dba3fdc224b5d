import { beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { useTestDatabase } from "../../support/database";
import { recheckFlowStates } from "../../../app/flows/recheck.server";

const database = useTestDatabase();

let prisma: PrismaClient;

const shop = "recheck.myshopify.com";
const now = new Date("2026-03-10T12:00:00Z");
type Row = Parameters<typeof recheckFlowStates>[0][number];
/** One message is a batch of one. */
const recheckFlowState = async (row: Row, at: Date) => (await recheckFlowStates([row], at))[0];

const base = {
  shop,
  subscriberId: null as string | null,
  cartToken: null as string | null,
  variantId: null as string | null,
  orderId: null as string | null,
  campaignId: null as string | null,
  expiresAt: null as Date | null,
};

beforeAll(async () => {
  prisma = database.prisma;
  const updated = new Date("2026-03-01T00:00:00Z");
  await prisma.cart.createMany({
    data: [
      { shop, token: "open-cart", itemCount: 2, shopifyUpdatedAt: updated },
      { shop, token: "converted-cart", itemCount: 2, status: "converted", shopifyUpdatedAt: updated },
      { shop, token: "empty-cart", itemCount: 0, shopifyUpdatedAt: updated },
      { shop, token: "ordered-cart", itemCount: 1, shopifyUpdatedAt: updated },
      { shop: "other.myshopify.com", token: "foreign-cart", itemCount: 1, shopifyUpdatedAt: updated },
    ],
  });
  await prisma.order.create({
    data: { shop, id: "o-cart", cartToken: "ordered-cart", placedAt: updated, shopifyUpdatedAt: updated },
  });
  await prisma.variant.createMany({
    data: [
      { shop, id: "v-in", productId: "p-active", available: 3, shopifyUpdatedAt: updated },
      { shop, id: "v-out", productId: "p-active", available: 0, shopifyUpdatedAt: updated },
      { shop, id: "v-continue", productId: "p-draft", available: -2, inventoryPolicy: "continue", shopifyUpdatedAt: updated },
    ],
  });
  await prisma.product.createMany({
    data: [
      { shop, id: "p-active", title: "Coffee", status: "active", shopifyUpdatedAt: updated },
      { shop, id: "p-draft", title: "Old mug", status: "draft", shopifyUpdatedAt: updated },
    ],
  });
  await prisma.order.create({
    data: {
      shop, id: "o-first", customerId: "c1", placedAt: new Date("2026-02-01T00:00:00Z"), shopifyUpdatedAt: updated,
      lineItems: { create: [{ id: "li-1", productId: "p-active", variantId: "v-in", title: "Coffee", quantity: 1, price: 10 }] },
    },
  });
  await prisma.order.create({
    data: {
      shop, id: "o-other", customerId: "c2", placedAt: new Date("2026-02-01T00:00:00Z"), shopifyUpdatedAt: updated,
      lineItems: { create: [{ id: "li-2", productId: "p-active", variantId: "v-in", title: "Coffee", quantity: 1, price: 10 }] },
    },
  });
  await prisma.order.create({
    data: {
      shop, id: "o-again", customerId: "c2", placedAt: new Date("2026-02-20T00:00:00Z"), shopifyUpdatedAt: updated,
      lineItems: { create: [{ id: "li-3", productId: "p-active", variantId: "v-out", title: "Coffee", quantity: 1, price: 10 }] },
    },
  });
  await prisma.order.create({
    data: { shop, id: "o-cancelled", cancelledAt: updated, placedAt: updated, shopifyUpdatedAt: updated },
  });
  await prisma.campaign.createMany({
    data: [
      { shop, id: "camp-live", name: "Spring", templateName: "spring", status: "sending" },
      { shop, id: "camp-off", name: "Winter", templateName: "winter", status: "cancelled" },
    ],
  });
}, 60_000);

describe("recheckFlowStates, one message at a time", () => {
  it("abandoned cart: only an open cart without an order passes", async () => {
    const check = (cartToken: string) => recheckFlowState({ ...base, flow: "abandoned_cart", cartToken }, now);
    expect(await check("open-cart")).toEqual({ ok: true });
    expect(await check("converted-cart")).toEqual({ ok: false, reason: "cart_converted" });
    expect(await check("empty-cart")).toEqual({ ok: false, reason: "cart_emptied" });
    expect(await check("ordered-cart")).toEqual({ ok: false, reason: "order_placed" });
    expect(await check("foreign-cart")).toEqual({ ok: false, reason: "cart_unknown" });
  });

  it("back in stock: needs stock, unless the variant sells when out of stock", async () => {
    const check = (variantId: string) => recheckFlowState({ ...base, flow: "back_in_stock", variantId }, now);
    expect(await check("v-in")).toEqual({ ok: true });
    expect(await check("v-out")).toEqual({ ok: false, reason: "sold_out_again" });
    expect(await check("v-continue")).toEqual({ ok: true });
    expect(await check("v-missing")).toEqual({ ok: false, reason: "variant_unknown" });
  });

  it("reorder: stops once the customer bought the product again", async () => {
    const check = (orderId: string) => recheckFlowState({ ...base, flow: "reorder", orderId, variantId: "v-in" }, now);
    expect(await check("o-first")).toEqual({ ok: true });
    expect(await check("o-other")).toEqual({ ok: false, reason: "already_reordered" });
  });

  it("upsell: the recommended product must still be active", async () => {
    const check = (variantId: string) => recheckFlowState({ ...base, flow: "upsell", orderId: "o-first", variantId }, now);
    expect(await check("v-in")).toEqual({ ok: true });
    expect(await check("v-continue")).toEqual({ ok: false, reason: "product_not_active" });
  });

  it("promotion: a cancelled campaign stops", async () => {
    const check = (campaignId: string) => recheckFlowState({ ...base, flow: "promotion", campaignId }, now);
    expect(await check("camp-live")).toEqual({ ok: true });
    expect(await check("camp-off")).toEqual({ ok: false, reason: "campaign_cancelled" });
  });

  it("appointment: booking in the future and the order not cancelled", async () => {
    const later = new Date(now.getTime() + 3_600_000);
    const check = (orderId: string, expiresAt: Date) =>
      recheckFlowState({ ...base, flow: "appointment", orderId, expiresAt }, now);
    expect(await check("o-first", later)).toEqual({ ok: true });
    expect(await check("o-first", new Date(now.getTime() - 1))).toEqual({ ok: false, reason: "booking_passed" });
    expect(await check("o-cancelled", later)).toEqual({ ok: false, reason: "order_cancelled" });
  });

  it("the batch form gives every row the single-row answer, across flows and shops", async () => {
    const updated = new Date("2026-03-01T00:00:00Z");
    await prisma.checkout.createMany({
      data: [
        { shop, token: "checkout-only", shopifyUpdatedAt: updated },
        { shop, token: "paid-checkout", cartToken: "open-cart-2", completedAt: updated, shopifyUpdatedAt: updated },
        { shop, token: "ordered-checkout", shopifyUpdatedAt: updated },
      ],
    });
    await prisma.cart.create({ data: { shop, token: "open-cart-2", itemCount: 1, shopifyUpdatedAt: updated } });
    await prisma.order.create({ data: { shop, id: "o-checkout", checkoutToken: "ordered-checkout", placedAt: updated, shopifyUpdatedAt: updated } });
    const later = new Date(now.getTime() + 3_600_000);
    const other = "other.myshopify.com";
    const rows = [
      ...["open-cart", "converted-cart", "empty-cart", "ordered-cart", "foreign-cart", "checkout-only", "open-cart-2", "ordered-checkout"].map(
        (cartToken) => ({ ...base, flow: "abandoned_cart" as const, cartToken }),
      ),
      { ...base, flow: "abandoned_cart" as const },
      { ...base, shop: other, flow: "abandoned_cart" as const, cartToken: "foreign-cart" },
      ...["v-in", "v-out", "v-continue", "v-missing"].map((variantId) => ({ ...base, flow: "back_in_stock" as const, variantId })),
      { ...base, shop: other, flow: "back_in_stock" as const, variantId: "v-in" },
      ...["o-first", "o-other"].map((orderId) => ({ ...base, flow: "reorder" as const, orderId, variantId: "v-in" })),
      ...["v-in", "v-continue", "v-missing"].map((variantId) => ({ ...base, flow: "upsell" as const, orderId: "o-first", variantId })),
      ...["camp-live", "camp-off", "camp-missing"].map((campaignId) => ({ ...base, flow: "promotion" as const, campaignId })),
      { ...base, shop: other, flow: "promotion" as const, campaignId: "camp-live" },
      { ...base, flow: "appointment" as const, orderId: "o-first", expiresAt: later },
      { ...base, flow: "appointment" as const, orderId: "o-first", expiresAt: new Date(now.getTime() - 1) },
      { ...base, flow: "appointment" as const, orderId: "o-cancelled", expiresAt: later },
      { ...base, flow: "appointment" as const, orderId: "o-missing", expiresAt: later },
      { ...base, flow: "optin_confirmation" as const },
    ];
    const single = await Promise.all(rows.map((row) => recheckFlowState(row, now)));
    const batch = await recheckFlowStates(rows, now);
    expect(batch).toEqual(single);
    // The cases above cover passing and failing answers of every kind, so equality means something.
    expect(single.filter((r) => r.ok).length).toBeGreaterThan(5);
    expect(new Set(single.filter((r) => !r.ok).map((r) => (r.ok ? "" : r.reason)))).toEqual(
      new Set([
        "cart_converted", "cart_emptied", "order_placed", "cart_unknown", "checkout_completed",
        "sold_out_again", "variant_unknown", "already_reordered", "product_not_active", "product_unknown",
        "campaign_cancelled", "campaign_unknown", "booking_passed", "order_cancelled", "order_unknown",
      ]),
    );
  });
});
