import { describe, expect, it } from "vitest";
import { discountCodes } from "../../fakes/shopify/admin";
import { cartPayload, checkoutPayload, inventoryLevelPayload, orderPayload, productPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import { bodyTexts, linkToken, marketingTemplate, rangeAround, useFlowHarness, utmOf } from "./harness";
import { resultsByFlow, resultsByStep } from "../../../app/flows/results.server";

/**
 * The flows end to end through the running app: Shopify webhooks in, the flow plans, the
 * server's own dispatcher sends through the fake WhatsApp Cloud API, the shopper taps the link
 * (GET /r/:token), and the order webhook credits the message with the order's revenue.
 */
const h = useFlowHarness({
  shop: "flows-e2e.myshopify.com",
  templates: [marketingTemplate("cart_reminder_1", "{{1}} is waiting for you ({{2}})."), marketingTemplate("back_in_stock", "{{1}} is waiting for you ({{2}}).")],
  flows: [
    { flow: "abandoned_cart", config: { steps: [{ delayHours: 1, templateName: "cart_reminder_1", language: "en", discount: null }] } },
    { flow: "back_in_stock", config: { templateName: "back_in_stock", messagesPerUnit: 1 } },
  ],
});

describe("abandoned cart, end to end", () => {
  it("reminds an hour after the checkout stalls, follows the tap, and credits the order", async () => {
    const shopper = await h.subscriber("+34611000001");
    const line = { variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Linen Shirt", quantity: 2, price: "39.90" };
    const start = h.clock.now();
    const cart = cartPayload({ lines: [line], updatedAt: start, currency: "EUR" });
    expect((await h.send("carts/create", cart)).status).toBe(200);
    const checkout = checkoutPayload({ cartToken: cart.token, phone: shopper.phone, lines: [line], updatedAt: start, currency: "EUR" } as Parameters<typeof checkoutPayload>[0]);
    expect((await h.send("checkouts/create", checkout)).status).toBe(200);

    const planned = await h.waitFor("the reminder to be planned", () =>
      h.prisma.notification.findFirst({ where: { shop: h.shop, flow: "abandoned_cart", cartToken: cart.token, status: "scheduled" } }),
    );
    expect(planned.subscriberId).toBe(shopper.id);
    expect(planned.sendAt.getTime()).toBe(new Date(checkout.updated_at).getTime() + 3_600_000);

    // Not yet due: nothing goes out before the hour.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.fake.accepted.some((m) => m.callbackData === planned.id)).toBe(false);

    h.clock.advance(61 * 60_000);
    const message = await h.delivered(planned.id);
    expect(message.template).toBe("cart_reminder_1");
    expect(message.to.replace(/^\+/, "")).toBe(shopper.phone.replace(/^\+/, ""));
    expect(bodyTexts(message)[0]).toBe("Linen Shirt");
    const token = linkToken(message);

    // WhatsApp's link-preview fetcher is redirected but not counted as the shopper's tap.
    const preview = await h.tapLink(token, "WhatsApp/2.24.1.5 A");
    expect(preview.status).toBe(302);
    expect((await h.prisma.notification.findUniqueOrThrow({ where: { id: planned.id } })).clickedAt).toBeNull();

    const tapped = await h.tapLink(token);
    expect(tapped.status).toBe(302);
    const location = new URL(tapped.headers.get("location")!);
    expect(location.href.startsWith(checkout.abandoned_checkout_url.split("?")[0])).toBe(true);
    expect(utmOf(location)).toEqual({ utm_source: "whatsapp", utm_medium: "rebound", utm_campaign: "abandoned_cart", utm_content: "step-1" });
    const clicked = await h.prisma.notification.findUniqueOrThrow({ where: { id: planned.id } });
    expect(clicked.clickedAt).not.toBeNull();
    expect(await h.prisma.click.count({ where: { shop: h.shop, notificationId: planned.id } })).toBe(1);

    const order = orderPayload({
      cartToken: cart.token,
      checkoutToken: checkout.token,
      phone: shopper.phone,
      lines: [line],
      createdAt: new Date(h.clock.now().getTime() + 10 * 60_000),
      currency: "EUR",
    });
    expect((await h.send("orders/create", order)).status).toBe(200);
    const credit = await h.waitFor("the attribution", () => h.prisma.attribution.findFirst({ where: { shop: h.shop, orderId: String(order.id) } }));
    expect(credit).toMatchObject({ notificationId: planned.id, flow: "abandoned_cart", step: 1, matchedBy: "cart", currency: "EUR" });
    expect(credit.revenue.toString()).toBe("79.8");

    const range = rangeAround(h.clock);
    expect((await resultsByStep(h.shop, "abandoned_cart", range)).find((r) => r.step === 1)).toMatchObject({ sent: 1, clicked: 1, orders: 1, revenue: "79.80" });
    expect((await resultsByFlow(h.shop, range)).find((r) => r.key === "abandoned_cart")).toMatchObject({ orders: 1, revenue: "79.80" });
  });

  it("answers 404 to a token it never issued", async () => {
    expect((await h.tapLink("0123456789abcdef0123456789abcdef")).status).toBe(404);
    expect((await h.tapLink("not-a-token")).status).toBe(404);
  });

  it("cancels the pending reminder when the order comes before it", async () => {
    const shopper = await h.subscriber("+34611000002");
    const line = { variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Belt", quantity: 1, price: "15.00" };
    const cart = cartPayload({ lines: [line], updatedAt: h.clock.now() });
    await h.send("carts/create", cart);
    await h.send("checkouts/create", checkoutPayload({ cartToken: cart.token, phone: shopper.phone, lines: [line], updatedAt: h.clock.now() } as Parameters<typeof checkoutPayload>[0]));
    const planned = await h.waitFor("the reminder to be planned", () =>
      h.prisma.notification.findFirst({ where: { shop: h.shop, flow: "abandoned_cart", cartToken: cart.token } }),
    );
    await h.send("orders/create", orderPayload({ cartToken: cart.token, phone: shopper.phone, lines: [line], createdAt: h.clock.now() }));
    const cancelled = await h.waitFor("the reminder to be cancelled", async () => {
      const row = await h.prisma.notification.findUniqueOrThrow({ where: { id: planned.id } });
      return row.status === "cancelled" ? row : null;
    });
    expect(cancelled.decisionReason).toBe("order_placed");
  });
});

describe("abandoned cart discount", () => {
  it("creates the step's unique code through the Admin API and puts it in the message and the link", async () => {
    await h.prisma.flowSetting.update({
      where: { shop_flow: { shop: h.shop, flow: "abandoned_cart" } },
      data: {
        config: {
          steps: [
            { delayHours: 1, templateName: "cart_reminder_1", language: "en", discount: null },
            { delayHours: 24, templateName: "cart_reminder_1", language: "en", discount: { kind: "percentage", value: 15, validHours: 48 } },
          ],
        },
      },
    });
    const shopper = await h.subscriber("+34611000003");
    const line = { variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Scarf", quantity: 3, price: "10.00" };
    const cart = cartPayload({ lines: [line], updatedAt: h.clock.now() });
    await h.send("carts/create", cart);
    await h.send("checkouts/create", checkoutPayload({ cartToken: cart.token, phone: shopper.phone, lines: [line], updatedAt: h.clock.now() } as Parameters<typeof checkoutPayload>[0]));
    const second = await h.waitFor("the discounted step", () =>
      h.prisma.notification.findFirst({ where: { shop: h.shop, flow: "abandoned_cart", cartToken: cart.token, step: 2 } }),
    );
    const code = (second.params as { body: string[] }).body[2];
    expect(code).toMatch(/^RB[0-9A-Z]{10}$/);
    const created = await h.waitFor("the code at the fake Admin API", async () => discountCodes.get(h.shop)?.get(code));
    expect(created).toMatchObject({ code, usageLimit: 1, customerGets: { value: { percentage: 0.15 } } });
    const link = await h.prisma.trackedLink.findFirstOrThrow({ where: { shop: h.shop, notificationId: second.id } });
    expect(new URL(link.destination).searchParams.get("discount")).toBe(code);
    await h.prisma.flowSetting.update({
      where: { shop_flow: { shop: h.shop, flow: "abandoned_cart" } },
      data: { config: { steps: [{ delayHours: 1, templateName: "cart_reminder_1", language: "en", discount: null }] } },
    });
  });
});

describe("back in stock, end to end", () => {
  it("tells the first shopper in line when one unit comes back, and credits their order", async () => {
    const first = await h.subscriber("+34611000010");
    const second = await h.subscriber("+34611000011");
    const productId = shopifyNumericId();
    const variantId = shopifyNumericId();
    const item = shopifyNumericId();
    const product = productPayload({
      id: productId,
      title: "Moka Pot",
      handle: "moka-pot",
      variants: [{ id: variantId, inventoryItemId: item, price: "42.00", title: "6 cups", inventoryQuantity: 0 }],
      updatedAt: h.clock.now(),
    });
    expect((await h.send("products/update", product)).status).toBe(200);
    for (const [i, s] of [first, second].entries()) {
      await h.prisma.backInStockRequest.create({
        data: { shop: h.shop, subscriberId: s.id, variantId: String(variantId), productId: String(productId), createdAt: new Date(h.clock.now().getTime() - (10 - i) * 60_000) },
      });
    }

    const restock = inventoryLevelPayload({ inventoryItemId: item, locationId: shopifyNumericId(), available: 1, updatedAt: new Date(h.clock.now().getTime() + 1000) });
    expect((await h.send("inventory_levels/update", restock)).status).toBe(200);

    const planned = await h.waitFor("the alert to be planned", () =>
      h.prisma.notification.findFirst({ where: { shop: h.shop, flow: "back_in_stock", variantId: String(variantId) } }),
    );
    expect(planned.subscriberId).toBe(first.id);
    expect(await h.prisma.notification.count({ where: { shop: h.shop, flow: "back_in_stock", variantId: String(variantId) } })).toBe(1);
    const requests = await h.prisma.backInStockRequest.findMany({ where: { shop: h.shop, variantId: String(variantId) }, orderBy: { createdAt: "asc" } });
    expect(requests.map((r) => r.status)).toEqual(["notified", "waiting"]);

    const message = await h.delivered(planned.id);
    expect(message.template).toBe("back_in_stock");
    expect(bodyTexts(message)).toEqual(["Moka Pot", "6 cups"]);

    const tapped = await h.tapLink(linkToken(message));
    expect(tapped.status).toBe(302);
    const location = new URL(tapped.headers.get("location")!);
    expect(location.pathname).toBe("/products/moka-pot");
    expect(location.searchParams.get("variant")).toBe(String(variantId));
    expect(location.searchParams.get("utm_campaign")).toBe("back_in_stock");

    const order = orderPayload({
      phone: first.phone,
      lines: [{ variantId, productId, title: "Moka Pot - 6 cups", quantity: 1, price: "42.00" }],
      createdAt: new Date(h.clock.now().getTime() + 60_000),
    });
    expect((await h.send("orders/create", order)).status).toBe(200);
    const credit = await h.waitFor("the attribution", () => h.prisma.attribution.findFirst({ where: { shop: h.shop, orderId: String(order.id) } }));
    expect(credit).toMatchObject({ notificationId: planned.id, flow: "back_in_stock", matchedBy: "phone" });
    expect(credit.revenue.toString()).toBe("42");

    expect((await resultsByFlow(h.shop, rangeAround(h.clock))).find((r) => r.key === "back_in_stock")).toMatchObject({ sent: 1, clicked: 1, orders: 1, revenue: "42.00" });
  });
});
