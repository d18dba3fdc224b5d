import { describe, expect, it } from "vitest";
import { orderPayload, productPayload, shopifyNumericId, type LineInput } from "../../fakes/shopify/payloads";
import { bodyTexts, linkToken, marketingTemplate, rangeAround, useFlowHarness, utmOf } from "./harness";
import { resultsByFlow } from "../../../app/flows/results.server";

/**
 * Cross-sell end to end: days after a paid order the shopper hears about what this shop's
 * customers most often buy with it (or the merchant's pick without enough evidence), taps
 * through to that product, and the order for it is credited to the recommendation.
 */
const DAY = 86_400_000;

function catalogItem(title: string, handle: string, price: string) {
  const productId = shopifyNumericId();
  const variantId = shopifyNumericId();
  return {
    line: (quantity = 1): LineInput => ({ productId, variantId, title, quantity, price }),
    productId,
    variantId,
    handle,
    payload: (at: Date) =>
      productPayload({ id: productId, title, handle, variants: [{ id: variantId, inventoryItemId: shopifyNumericId(), price, inventoryQuantity: 20 }], updatedAt: at }),
  };
}

const grinder = catalogItem("Burr Grinder", "burr-grinder", "89.00");
const papers = catalogItem("Filter Papers", "filter-papers", "6.50");
const scale = catalogItem("Coffee Scale", "coffee-scale", "24.00");
const mug = catalogItem("Ceramic Mug", "ceramic-mug", "14.00");

const h = useFlowHarness({
  shop: "upsell-e2e.myshopify.com",
  templates: [marketingTemplate("you_may_also_like", "Customers who bought {{2}} love {{1}}.")],
  flows: [
    {
      flow: "upsell",
      config: { templateName: "you_may_also_like", language: "en", delayDays: 3, minCoPurchases: 2, fallbackProductId: String(mug.productId), validDays: 7 },
    },
  ],
});

async function paidOrder(input: Parameters<typeof orderPayload>[0]) {
  const order = orderPayload({ financialStatus: "paid", ...input });
  expect((await h.send("orders/create", order)).status).toBe(200);
  expect((await h.send("orders/paid", order)).status).toBe(200);
  return order;
}

describe("cross-sell, end to end", () => {
  it("recommends what others bought with it, follows the tap, and credits that order", async () => {
    const start = h.clock.now();
    for (const item of [grinder, papers, scale, mug]) expect((await h.send("products/update", item.payload(start))).status).toBe(200);
    // Papers were bought with the grinder twice (enough evidence), the scale once (not enough).
    for (const [i, lines] of [[grinder.line(), papers.line(2)], [grinder.line(), papers.line()], [grinder.line(), scale.line()]].entries()) {
      await paidOrder({ customer: { id: shopifyNumericId() }, lines, createdAt: new Date(start.getTime() - (30 - i) * DAY) });
    }
    await h.tasksSettled();

    const shopper = await h.subscriber("+34633000001");
    const bought = await paidOrder({ phone: shopper.phone, lines: [grinder.line()], createdAt: start });
    const planned = await h.waitFor("the recommendation to be planned", () =>
      h.prisma.notification.findFirst({ where: { shop: h.shop, flow: "upsell", orderId: String(bought.id) } }),
    );
    expect(planned).toMatchObject({ subscriberId: shopper.id, status: "scheduled", variantId: String(papers.variantId) });
    expect(planned.sendAt.getTime()).toBe(start.getTime() + 3 * DAY);

    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.fake.accepted.some((m) => m.callbackData === planned.id)).toBe(false);
    h.clock.advance(3 * DAY + 60_000);
    const message = await h.delivered(planned.id);
    expect(message.template).toBe("you_may_also_like");
    expect(message.to.replace(/^\+/, "")).toBe(shopper.phone.replace(/^\+/, ""));
    expect(bodyTexts(message)).toEqual(["Filter Papers", "Burr Grinder"]);

    const tapped = await h.tapLink(linkToken(message));
    expect(tapped.status).toBe(302);
    const location = new URL(tapped.headers.get("location")!);
    expect(location.origin).toBe(`https://${h.shop}`);
    expect(location.pathname).toBe("/products/filter-papers");
    expect(location.searchParams.get("variant")).toBe(String(papers.variantId));
    expect(utmOf(location)).toEqual({ utm_source: "whatsapp", utm_medium: "rebound", utm_campaign: "upsell", utm_content: null });
    expect(await h.prisma.click.count({ where: { shop: h.shop, notificationId: planned.id } })).toBe(1);

    const order = await paidOrder({ phone: shopper.phone, lines: [papers.line(4)], createdAt: new Date(h.clock.now().getTime() + 60_000) });
    const credit = await h.waitFor("the attribution", () => h.prisma.attribution.findFirst({ where: { shop: h.shop, orderId: String(order.id) } }));
    expect(credit).toMatchObject({ notificationId: planned.id, flow: "upsell", matchedBy: "phone" });
    expect(credit.revenue.toString()).toBe("26");

    expect((await resultsByFlow(h.shop, rangeAround(h.clock))).find((r) => r.key === "upsell")).toMatchObject({
      sent: 1,
      clicked: 1,
      orders: 1,
      revenue: "26.00",
    });
    // The admin's home page sums the same figures for the last 30 days.
    h.clock.advance(5 * 60_000);
    const home = await h.adminFetch("/app", { document: true });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("$26.00");
  });

  it("falls back to the merchant's pick when what others bought with it is already owned or too rare", async () => {
    const customerId = shopifyNumericId();
    const shopper = await h.subscriber("+34633000002", { customerId: String(customerId) });
    await paidOrder({ phone: shopper.phone, customer: { id: customerId }, lines: [papers.line()], createdAt: new Date(h.clock.now().getTime() - 20 * DAY) });
    const bought = await paidOrder({ phone: shopper.phone, customer: { id: customerId }, lines: [grinder.line()], createdAt: h.clock.now() });
    const planned = await h.waitFor("the recommendation to be planned", () =>
      h.prisma.notification.findFirst({ where: { shop: h.shop, flow: "upsell", orderId: String(bought.id) } }),
    );
    expect(planned.variantId).toBe(String(mug.variantId));
    h.clock.advance(3 * DAY + 60_000);
    const message = await h.delivered(planned.id);
    expect(bodyTexts(message)).toEqual(["Ceramic Mug", "Burr Grinder"]);
    const location = new URL((await h.tapLink(linkToken(message))).headers.get("location")!);
    expect(location.pathname).toBe("/products/ceramic-mug");

    // Deliveries may come out of order: the payment can be announced before orders/create.
    const order = orderPayload({ financialStatus: "paid", phone: shopper.phone, customer: { id: customerId }, lines: [mug.line(2)], createdAt: new Date(h.clock.now().getTime() + 60_000) });
    expect((await h.send("orders/paid", order)).status).toBe(200);
    const credit = await h.waitFor("the attribution", () => h.prisma.attribution.findFirst({ where: { shop: h.shop, orderId: String(order.id) } }));
    expect(credit).toMatchObject({ notificationId: planned.id, flow: "upsell" });
    expect(credit.revenue.toString()).toBe("28");
    expect((await h.send("orders/create", order)).status).toBe(200);
    await h.tasksSettled();
    expect(await h.prisma.attribution.count({ where: { shop: h.shop, orderId: String(order.id) } })).toBe(1);
  });
});
