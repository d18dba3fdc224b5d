import { describe, expect, it } from "vitest";
import { orderPayload, productPayload, shopifyNumericId, type LineInput } from "../../fakes/shopify/payloads";
import { bodyTexts, linkToken, marketingTemplate, rangeAround, useFlowHarness, utmOf } from "./harness";
import { resultsByFlow } from "../../../app/flows/results.server";

/**
 * Time to reorder end to end: a paid order plans a reminder for when the product typically runs
 * out (learned from this shop's repeat purchases), the dispatcher sends it that day, the tap
 * lands on the product, and the repeat order is credited to the reminder.
 */
const DAY = 86_400_000;
const h = useFlowHarness({
  shop: "reorder-e2e.myshopify.com",
  templates: [marketingTemplate("time_to_reorder", "Running low on {{1}}? It's been {{2}} days.")],
  flows: [{ flow: "reorder", config: { templateName: "time_to_reorder", language: "en", defaultDays: 30, minSamples: 2, validDays: 7 } }],
});

const productId = shopifyNumericId();
const variantId = shopifyNumericId();
const coffee: LineInput = { variantId, productId, title: "House Blend 1kg", quantity: 2, price: "12.50" };

async function paidOrder(input: Parameters<typeof orderPayload>[0]) {
  const order = orderPayload({ financialStatus: "paid", ...input });
  // Shopify sends orders/create, then orders/paid once payment covers the total.
  expect((await h.send("orders/create", order)).status).toBe(200);
  expect((await h.send("orders/paid", order)).status).toBe(200);
  return order;
}

describe("time to reorder, end to end", () => {
  it("learns the interval from repeat buyers, reminds on that day, and credits the reorder", async () => {
    const start = h.clock.now();
    const product = productPayload({
      id: productId,
      title: "House Blend",
      handle: "house-blend",
      variants: [{ id: variantId, inventoryItemId: shopifyNumericId(), price: "12.50", title: "1kg", inventoryQuantity: 50 }],
      updatedAt: start,
    });
    expect((await h.send("products/update", product)).status).toBe(200);

    // Two customers came back after 12 and 16 days (median 14); a third got a second parcel the
    // same day, which is a split shipment and must not drag the interval down.
    const history: Array<[number, number]> = [
      [shopifyNumericId(), 60],
      [0, 48],
      [shopifyNumericId(), 40],
      [0, 24],
      [shopifyNumericId(), 30],
      [0, 30 - 2 / 24],
    ];
    let customerId = 0;
    for (const [id, daysAgo] of history) {
      customerId = id || customerId;
      await paidOrder({ customer: { id: customerId }, lines: [coffee], createdAt: new Date(start.getTime() - daysAgo * DAY) });
    }
    await h.tasksSettled();
    expect(await h.prisma.notification.count({ where: { shop: h.shop, flow: "reorder" } })).toBe(0);

    const shopper = await h.subscriber("+34622000001");
    const first = await paidOrder({ phone: shopper.phone, lines: [coffee], createdAt: start });
    const planned = await h.waitFor("the reorder reminder to be planned", () =>
      h.prisma.notification.findFirst({ where: { shop: h.shop, flow: "reorder", orderId: String(first.id) } }),
    );
    expect(planned).toMatchObject({ subscriberId: shopper.id, status: "scheduled", variantId: String(variantId) });
    expect(planned.sendAt.getTime()).toBe(start.getTime() + 14 * DAY);

    // A day early, nothing goes out.
    h.clock.advance(13 * DAY);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.fake.accepted.some((m) => m.callbackData === planned.id)).toBe(false);

    h.clock.advance(DAY + 60_000);
    const message = await h.delivered(planned.id);
    expect(message.template).toBe("time_to_reorder");
    expect(message.to.replace(/^\+/, "")).toBe(shopper.phone.replace(/^\+/, ""));
    expect(bodyTexts(message)).toEqual(["House Blend", "14"]);

    const tapped = await h.tapLink(linkToken(message));
    expect(tapped.status).toBe(302);
    const location = new URL(tapped.headers.get("location")!);
    expect(location.origin).toBe(`https://${h.shop}`);
    expect(location.pathname).toBe("/products/house-blend");
    expect(location.searchParams.get("variant")).toBe(String(variantId));
    expect(utmOf(location)).toEqual({ utm_source: "whatsapp", utm_medium: "rebound", utm_campaign: "reorder", utm_content: null });
    expect((await h.prisma.notification.findUniqueOrThrow({ where: { id: planned.id } })).clickedAt).not.toBeNull();
    expect(await h.prisma.click.count({ where: { shop: h.shop, notificationId: planned.id } })).toBe(1);

    const reorder = await paidOrder({
      phone: shopper.phone,
      lines: [{ ...coffee, quantity: 3 }],
      createdAt: new Date(h.clock.now().getTime() + 5 * 60_000),
    });
    const credit = await h.waitFor("the attribution", () => h.prisma.attribution.findFirst({ where: { shop: h.shop, orderId: String(reorder.id) } }));
    expect(credit).toMatchObject({ notificationId: planned.id, flow: "reorder", matchedBy: "phone", campaignId: null });
    expect(credit.revenue.toString()).toBe("37.5");

    expect((await resultsByFlow(h.shop, rangeAround(h.clock))).find((r) => r.key === "reorder")).toMatchObject({
      sent: 1,
      clicked: 1,
      orders: 1,
      revenue: "37.50",
    });
    // The flows page reads the same figures over its trailing 30 days.
    h.clock.advance(10 * 60_000);
    const page = await h.adminFetch("/app/flows", { document: true });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("$37.50");
  });

  it("drops the reminder when the shopper reorders on their own first", async () => {
    const shopper = await h.subscriber("+34622000002");
    const first = await paidOrder({ phone: shopper.phone, lines: [coffee], createdAt: h.clock.now() });
    const planned = await h.waitFor("the reorder reminder to be planned", () =>
      h.prisma.notification.findFirst({ where: { shop: h.shop, flow: "reorder", orderId: String(first.id) } }),
    );
    h.clock.advance(5 * DAY);
    await paidOrder({ phone: shopper.phone, lines: [coffee], createdAt: h.clock.now() });
    const cancelled = await h.waitFor("the reminder to be cancelled", async () => {
      const row = await h.prisma.notification.findUniqueOrThrow({ where: { id: planned.id } });
      return row.status === "cancelled" ? row : null;
    });
    expect(cancelled.decisionReason).toBe("reordered");
    expect(h.fake.accepted.some((m) => m.callbackData === planned.id)).toBe(false);
  });

  it("drops the reminder when the shop cancels the order", async () => {
    const shopper = await h.subscriber("+34622000003");
    const order = await paidOrder({ phone: shopper.phone, lines: [coffee], createdAt: h.clock.now() });
    const planned = await h.waitFor("the reorder reminder to be planned", () =>
      h.prisma.notification.findFirst({ where: { shop: h.shop, flow: "reorder", orderId: String(order.id) } }),
    );
    const at = new Date(h.clock.now().getTime() + 60_000).toISOString();
    expect((await h.send("orders/cancelled", { ...order, cancelled_at: at, cancel_reason: "declined", updated_at: at })).status).toBe(200);
    const cancelled = await h.waitFor("the reminder to be cancelled", async () => {
      const row = await h.prisma.notification.findUniqueOrThrow({ where: { id: planned.id } });
      return row.status === "cancelled" ? row : null;
    });
    expect(cancelled.decisionReason).toBe("order_cancelled");
  });
});
