import { beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { useTestDatabase } from "../../support/database";
import * as cart from "../../../app/flows/abandoned-cart.server";
import * as orders from "../../../app/flows/orders.server";
import * as promotion from "../../../app/flows/promotion.server";
import * as attribution from "../../../app/flows/attribution.server";
import * as results from "../../../app/flows/results.server";
import * as discounts from "../../../app/flows/discounts.server";

const database = useTestDatabase();

let prisma: PrismaClient;

const shop = "state.myshopify.com";
const H = 3_600_000;
const D = 24 * H;
const t0 = new Date("2026-06-01T10:00:00Z");
let phoneSeq = 0;

async function subscriber(over: Record<string, unknown> = {}) {
  phoneSeq += 1;
  return prisma.subscriber.create({
    data: { shop, phone: `+3462${String(phoneSeq).padStart(7, "0")}`, callingCode: "34", status: "subscribed", ...over },
  });
}

beforeAll(async () => {
  prisma = database.prisma;
  await prisma.shop.create({ data: { shop, timezone: "Europe/Madrid", settings: { create: { campaignsPerMonth: 1 } } } });
  await prisma.flowSetting.createMany({
    data: (["abandoned_cart", "reorder", "upsell", "promotion"] as const).map((flow) => ({ shop, flow, enabled: true, config: {} })),
  });
}, 60_000);

describe("replanAbandonedCart", () => {
  it("moves the reminders with each change, ignores replays, and cancels when emptied", async () => {
    const s = await subscriber();
    const lines = [{ variantId: "1", productId: "9", title: "Shirt", quantity: 1, price: "20.00" }];
    // No currency on the cart: the shop's (EUR) is used.
    await prisma.shop.update({ where: { shop }, data: { currency: "EUR" } });
    await prisma.cart.create({ data: { shop, token: "c1", subscriberId: s.id, lines, itemCount: 1, totalPrice: 20, shopifyUpdatedAt: t0 } });
    await cart.replanAbandonedCart(shop, { cartToken: "c1" }, t0);
    const first = await prisma.notification.findMany({ where: { shop, cartToken: "c1", status: "scheduled" }, orderBy: { step: "asc" } });
    expect(first.map((n) => n.sendAt.getTime() - t0.getTime())).toEqual([H, 24 * H, 72 * H]);
    const step3 = first[2];
    expect(await prisma.task.count({ where: { shop, kind: "flows.discount_create" } })).toBe(1);
    expect(await prisma.trackedLink.count({ where: { shop, notificationId: { in: first.map((n) => n.id) } } })).toBe(3);
    expect(step3.params).toMatchObject({ body: ["Shirt", "€20.00", expect.stringMatching(/^RB/)] });

    await cart.replanAbandonedCart(shop, { cartToken: "c1" }, new Date(t0.getTime() + 60_000));
    expect(await prisma.notification.count({ where: { shop, cartToken: "c1" } })).toBe(3);

    const t1 = new Date(t0.getTime() + 20 * 60_000);
    await prisma.cart.update({ where: { shop_token: { shop, token: "c1" } }, data: { shopifyUpdatedAt: t1, itemCount: 2 } });
    await cart.replanAbandonedCart(shop, { cartToken: "c1" }, t1);
    const scheduled = await prisma.notification.findMany({ where: { shop, cartToken: "c1", status: "scheduled" }, orderBy: { step: "asc" } });
    expect(scheduled[0].sendAt.getTime()).toBe(t1.getTime() + H);
    expect(await prisma.notification.count({ where: { shop, cartToken: "c1", status: "cancelled", decisionReason: "cart_changed" } })).toBe(3);

    await prisma.cart.update({ where: { shop_token: { shop, token: "c1" } }, data: { status: "emptied", itemCount: 0, lines: [] } });
    await cart.replanAbandonedCart(shop, { cartToken: "c1" }, t1);
    expect(await prisma.notification.count({ where: { shop, cartToken: "c1", status: "scheduled" } })).toBe(0);
  });
});

describe("planAfterOrderPaid", () => {
  async function order(id: string, customerId: string, productId: string, placedAt: Date, subscriberId?: string) {
    await prisma.order.create({
      data: {
        shop, id, customerId, subscriberId, placedAt, shopifyUpdatedAt: placedAt, totalPrice: 10,
        lineItems: { create: [{ id: `li-${id}`, productId, variantId: `v-${productId}`, title: `Product ${productId}`, quantity: 1, price: 10 }] },
      },
    });
  }

  it("learns the reorder interval once five repeat purchases exist, else uses the default", async () => {
    await prisma.product.createMany({
      data: [
        { shop, id: "beans", title: "Beans", handle: "beans", shopifyUpdatedAt: t0 },
        { shop, id: "tea", title: "Tea", handle: "tea", shopifyUpdatedAt: t0 },
      ],
    });
    for (let c = 0; c < 5; c++) {
      await order(`b${c}a`, `cust-b${c}`, "beans", new Date(t0.getTime() - 100 * D));
      await order(`b${c}b`, `cust-b${c}`, "beans", new Date(t0.getTime() - (100 - 20 - c) * D));
    }
    for (let c = 0; c < 4; c++) {
      await order(`t${c}a`, `cust-t${c}`, "tea", new Date(t0.getTime() - 100 * D));
      await order(`t${c}b`, `cust-t${c}`, "tea", new Date(t0.getTime() - 90 * D));
    }
    const gaps = await orders.repeatGaps(shop, ["beans", "tea"]);
    expect(gaps.get("beans")?.sort()).toEqual([20, 21, 22, 23, 24]);

    const buyer = await subscriber({ customerId: "cust-new" });
    await order("paid-beans", "cust-new", "beans", t0, buyer.id);
    await order("paid-tea", "cust-new", "tea", t0, buyer.id);
    await orders.planAfterOrderPaid(shop, "paid-beans", t0);
    await orders.planAfterOrderPaid(shop, "paid-tea", t0);
    const beans = await prisma.notification.findFirstOrThrow({ where: { shop, flow: "reorder", orderId: "paid-beans" } });
    expect(beans.sendAt.getTime()).toBe(t0.getTime() + 22 * D);
    const tea = await prisma.notification.findFirstOrThrow({ where: { shop, flow: "reorder", orderId: "paid-tea" } });
    expect(tea.sendAt.getTime()).toBe(t0.getTime() + 30 * D);

    // Buying beans again cancels the pending beans reminder, not the tea one.
    await order("again", "cust-new", "beans", new Date(t0.getTime() + 5 * D), buyer.id);
    await orders.settleOrderPlaced(shop, "again", new Date(t0.getTime() + 5 * D));
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: beans.id } })).status).toBe("cancelled");
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: tea.id } })).status).toBe("scheduled");
  });

  it("recommends what others bought with it, leaving out what the buyer owns", async () => {
    await prisma.product.createMany({
      data: [
        { shop, id: "grinder", title: "Grinder", handle: "grinder", status: "active", shopifyUpdatedAt: t0 },
        { shop, id: "filter", title: "Filters", handle: "filters", status: "active", shopifyUpdatedAt: t0 },
      ],
    });
    for (let i = 0; i < 3; i++) {
      await prisma.order.create({
        data: {
          shop, id: `combo${i}`, customerId: `combo-c${i}`, placedAt: new Date(t0.getTime() - 10 * D), shopifyUpdatedAt: t0,
          lineItems: {
            create: [
              { id: `combo${i}-1`, productId: "grinder", variantId: "v-grinder", title: "Grinder", quantity: 1, price: 50 },
              { id: `combo${i}-2`, productId: "filter", variantId: "v-filter", title: "Filters", quantity: 1, price: 5 },
              { id: `combo${i}-3`, productId: "beans", variantId: "v-beans", title: "Beans", quantity: 1, price: 10 },
            ],
          },
        },
      });
    }
    const recs = await orders.coPurchased(shop, ["grinder"], ["grinder", "beans"]);
    expect(recs.map((r) => [r.productId, r.coPurchases])).toEqual([["filter", 3]]);
    // The beans-and-tea buyer from above: beans are co-bought as often as filters but already owned.
    const buyer = await prisma.subscriber.findFirstOrThrow({ where: { shop, customerId: "cust-new" } });
    await order("g-paid", "cust-new", "grinder", t0, buyer.id);
    await orders.planAfterOrderPaid(shop, "g-paid", t0);
    const upsell = await prisma.notification.findFirstOrThrow({ where: { shop, flow: "upsell", orderId: "g-paid" } });
    expect(upsell).toMatchObject({ variantId: "v-filter", sendAt: new Date(t0.getTime() + 7 * D) });
  });
});

describe("promotions", () => {
  it("estimates and launches to opted-in offer-takers only, once, within the monthly cap", async () => {
    const yes = await subscriber({ callingCode: "44", phone: "+447700900001" });
    await subscriber({ callingCode: "44", phone: "+447700900002", acceptsOffers: false });
    await subscriber({ callingCode: "44", phone: "+447700900003", scope: "utility" });
    await subscriber({ callingCode: "1", phone: "+12025550100" });
    const capped = await subscriber({ callingCode: "44", phone: "+447700900004" });
    const old = await prisma.campaign.create({ data: { shop, name: "Earlier", templateName: "offer", status: "sent" } });
    await prisma.notification.create({
      data: { shop, flow: "promotion", dedupKey: "earlier", subscriberId: capped.id, status: "sent", sendAt: new Date(t0.getTime() - H), templateName: "offer", campaignId: old.id },
    });
    const audience = { countries: ["44", "1"] };
    expect(await promotion.estimateAudience(shop, audience, t0)).toBe(1);
    const campaign = await prisma.campaign.create({
      data: { shop, name: "Summer", templateName: "offer", audience, params: { body: ["20%"], link: "https://state.example/sale" }, status: "scheduled" },
    });
    const outcome = await promotion.launchCampaign(shop, campaign.id, t0);
    expect(outcome).toEqual({ launched: true, scheduled: 1, heldOut: 0 });
    const sent = await prisma.notification.findFirstOrThrow({ where: { shop, campaignId: campaign.id } });
    expect(sent.subscriberId).toBe(yes.id);
    const link = await prisma.trackedLink.findUniqueOrThrow({ where: { token: sent.id } });
    expect(new URL(link.destination).searchParams.get("utm_campaign")).toBe("promotion");
    expect(await promotion.launchCampaign(shop, campaign.id, t0)).toEqual({ launched: false, reason: "not_launchable" });
    expect(await promotion.campaignProgress(shop, campaign.id)).toMatchObject({ total: 1, byStatus: { scheduled: 1 }, done: false });
    expect(await prisma.task.count({ where: { shop, kind: "campaigns.settle" } })).toBe(1);
    expect(await promotion.settleCampaign(shop, campaign.id, t0)).toBe("waiting");
    await prisma.notification.update({ where: { id: sent.id }, data: { status: "delivered" } });
    expect(await promotion.settleCampaign(shop, campaign.id, t0)).toBe("sent");
    expect(await prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).toMatchObject({ status: "sent", finishedAt: t0 });
  });
});

describe("attribution", () => {
  async function clickedMessage(s: { id: string }, clickedAt: Date | null, flow: "reorder" | "upsell" = "reorder") {
    const n = await prisma.notification.create({
      data: {
        shop, flow, dedupKey: `attr-${Math.random()}`, subscriberId: s.id, status: "delivered", sendAt: new Date(t0.getTime() - 6 * D),
        sentAt: new Date(t0.getTime() - 6 * D), deliveredAt: new Date(t0.getTime() - 6 * D), templateName: "x",
      },
    });
    const token = n.id.padEnd(32, "0").slice(0, 32);
    await prisma.trackedLink.create({ data: { token, shop, notificationId: n.id, destination: "https://state.example/" } });
    if (clickedAt) {
      await prisma.click.create({ data: { shop, token, notificationId: n.id, clickedAt } });
      await prisma.notification.update({ where: { id: n.id }, data: { clickedAt } });
    }
    return n;
  }
  const placed = (id: string, s: { id: string }, at: Date) =>
    prisma.order.create({ data: { shop, id, subscriberId: s.id, placedAt: at, shopifyUpdatedAt: at, totalPrice: "55.50", currency: "EUR" } });

  it("credits the last click within the window, and nothing for a message only delivered", async () => {
    const s = await subscriber();
    await clickedMessage(s, new Date(t0.getTime() - 4 * D), "reorder");
    const later = await clickedMessage(s, new Date(t0.getTime() - 1 * D), "upsell");
    await placed("attr-1", s, t0);
    expect(await attribution.attributeOrder(shop, "attr-1")).toMatchObject({ attributed: true, notificationId: later.id, matchedBy: "phone" });
    const row = await prisma.attribution.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: "attr-1" } } });
    expect(row.revenue.toString()).toBe("55.5");
    expect(await attribution.attributeOrder(shop, "attr-1")).toMatchObject({ attributed: true, notificationId: later.id });
    expect(await prisma.attribution.count({ where: { shop, orderId: "attr-1" } })).toBe(1);

    const viewer = await subscriber();
    await clickedMessage(viewer, null);
    await placed("attr-2", viewer, t0);
    expect(await attribution.attributeOrder(shop, "attr-2")).toEqual({ attributed: false });

    const stale = await subscriber();
    await clickedMessage(stale, new Date(t0.getTime() - 6 * D));
    await placed("attr-3", stale, t0);
    expect(await attribution.attributeOrder(shop, "attr-3")).toEqual({ attributed: false });
  });

  it("a cancelled order gives its credit back and is never credited again", async () => {
    const s = await subscriber();
    await clickedMessage(s, new Date(t0.getTime() - D));
    await placed("attr-cancel", s, t0);
    expect(await attribution.attributeOrder(shop, "attr-cancel")).toMatchObject({ attributed: true });
    await prisma.order.update({ where: { shop_id: { shop, id: "attr-cancel" } }, data: { cancelledAt: new Date(t0.getTime() + D) } });
    await orders.settleOrderCancelled(shop, "attr-cancel");
    expect(await prisma.attribution.count({ where: { shop, orderId: "attr-cancel" } })).toBe(0);
    expect(await attribution.attributeOrder(shop, "attr-cancel")).toEqual({ attributed: false });
    expect(await prisma.attribution.count({ where: { shop, orderId: "attr-cancel" } })).toBe(0);
  });

  it("sums sent, clicks, orders and revenue per flow and per day", async () => {
    const range = { from: new Date(t0.getTime() - 10 * D), to: new Date(t0.getTime() + D) };
    const byFlow = await results.resultsByFlow(shop, range);
    const upsell = byFlow.find((r) => r.key === "upsell");
    expect(upsell).toMatchObject({ sent: 1, delivered: 1, clicked: 1, orders: 1, revenue: "55.50" });
    const days = await results.dailySeries(shop, range, "Europe/Madrid");
    expect(days).toHaveLength(12);
    expect(days.reduce((n, d) => n + d.orders, 0)).toBe(1);
    expect(days.find((d) => d.orders === 1)?.day).toBe("2026-06-01");
  });
});

describe("holdout lift", () => {
  it("compares conversion of shoppers messaged against the control group", async () => {
    const sendAt = new Date(t0.getTime() - 2 * D);
    for (let i = 0; i < 8; i++) {
      const s = await subscriber();
      const held = i >= 4;
      await prisma.notification.create({
        data: { shop, flow: "back_in_stock", dedupKey: `lift-${i}`, subscriberId: s.id, status: held ? "held_out" : "delivered", sendAt, templateName: "x" },
      });
      // Treated: 2 of 4 buy within the window; control: 1 of 4; one more buys too late to count.
      const buys = held ? i === 4 : i < 2;
      if (buys) await prisma.order.create({ data: { shop, id: `lift-o${i}`, subscriberId: s.id, placedAt: new Date(sendAt.getTime() + D), shopifyUpdatedAt: t0 } });
      if (i === 3) await prisma.order.create({ data: { shop, id: `lift-late`, subscriberId: s.id, placedAt: new Date(sendAt.getTime() + 9 * D), shopifyUpdatedAt: t0 } });
    }
    const lift = await results.holdoutLift(shop, "back_in_stock", { from: new Date(t0.getTime() - 5 * D), to: t0 });
    expect(lift.treated).toEqual({ shoppers: 4, converted: 2, rate: 0.5 });
    expect(lift.control).toEqual({ shoppers: 4, converted: 1, rate: 0.25 });
    expect(lift.lift).toBe(1);
  });
});

describe("checkout without a cart", () => {
  it("hangs the reminders on the checkout token and recovers through Shopify's URL", async () => {
    const s = await subscriber();
    const lines = [{ variantId: "5", title: "Hat", quantity: 1, price: "12.00" }];
    await prisma.checkout.create({
      data: { shop, token: "chk-1", phone: s.phone, lines, totalPrice: 12, currency: "EUR", recoveryUrl: "https://state.myshopify.com/1/checkouts/chk-1/recover?key=abc", shopifyUpdatedAt: t0 },
    });
    await cart.replanAbandonedCart(shop, { checkoutToken: "chk-1" }, t0);
    const first = await prisma.notification.findFirstOrThrow({ where: { shop, cartToken: "chk-1", step: 1 } });
    expect(first.subscriberId).toBe(s.id);
    const link = await prisma.trackedLink.findFirstOrThrow({ where: { shop, notificationId: first.id } });
    expect(new URL(link.destination).pathname).toBe("/1/checkouts/chk-1/recover");
    await prisma.checkout.update({ where: { shop_token: { shop, token: "chk-1" } }, data: { completedAt: t0, orderId: "x" } });
    await cart.replanAbandonedCart(shop, { checkoutToken: "chk-1" }, t0);
    expect(await prisma.notification.count({ where: { shop, cartToken: "chk-1", status: "scheduled" } })).toBe(0);
  });
});

describe("discount codes", () => {
  it("asks Shopify for a single-use code and treats a taken code as done", async () => {
    const s = await subscriber();
    const n = await prisma.notification.create({
      data: { shop, flow: "abandoned_cart", dedupKey: "disc", subscriberId: s.id, sendAt: t0, templateName: "x" },
    });
    const calls: Array<Record<string, unknown>> = [];
    let taken = false;
    const admin = {
      async graphql(_query: string, options?: { variables?: Record<string, unknown> }) {
        calls.push(options?.variables ?? {});
        const userErrors = taken ? [{ field: ["basicCodeDiscount", "code"], message: "Code must be unique.", code: "TAKEN" }] : [];
        taken = true;
        return Response.json({ data: { discountCodeBasicCreate: { codeDiscountNode: userErrors.length ? null : { id: "gid://shopify/DiscountCodeNode/1" }, userErrors } } });
      },
    };
    const payload = { notificationId: n.id, code: "RBABC1234567", kind: "percentage" as const, value: 10, endsAt: new Date(t0.getTime() + 2 * D).toISOString() };
    expect(await discounts.createDiscountCode(shop, payload, admin, t0)).toBe("created");
    expect(calls[0]).toMatchObject({
      basicCodeDiscount: { code: "RBABC1234567", usageLimit: 1, context: { all: "ALL" }, customerGets: { value: { percentage: 0.1 }, items: { all: true } } },
    });
    expect(await discounts.createDiscountCode(shop, payload, admin, t0)).toBe("exists");
    await prisma.notification.update({ where: { id: n.id }, data: { status: "cancelled" } });
    expect(await discounts.createDiscountCode(shop, payload, admin, t0)).toBe("not_needed");
  });
});
