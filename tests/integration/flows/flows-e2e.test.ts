import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeTemplate } from "../../fakes/whatsapp/server";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { discountCodes, startFakeShopifyAdmin, type FakeShopifyAdmin } from "../../fakes/shopify/admin";
import { cartPayload, checkoutPayload, inventoryLevelPayload, orderPayload, productPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import { seedShop } from "../outbox/fixtures";

/**
 * The flows end to end through the running app: Shopify webhooks in, the flow plans, the
 * server's own dispatcher sends through the fake WhatsApp Cloud API, the shopper taps the link
 * (GET /r/:token), and the order webhook credits the message with the order's revenue.
 */
const APP_SECRET = "flows-e2e-secret";
const seed = { shop: "flows-e2e.myshopify.com", phoneNumberId: "7001", wabaId: "7101", token: "token-flows" };
const shop = seed.shop;

const marketingTemplate = (name: string): FakeTemplate => ({
  name,
  language: "en",
  category: "MARKETING",
  components: [
    { type: "BODY", text: "{{1}} is waiting for you ({{2}})." },
    { type: "BUTTONS", buttons: [{ type: "URL", text: "Open", url: "https://rebound.example/r/{{1}}" }] },
  ],
});
const FLOW_TEMPLATES = [marketingTemplate("cart_reminder_1"), marketingTemplate("back_in_stock")];

let fake: FakeWhatsApp;
let admin: FakeShopifyAdmin;
const ADMIN_TOKEN = "shpat_flows_e2e";
let server: TestServer;
let prisma: typeof import("../../../app/db.server").default;
let clock: { now(): Date; advance(ms: number): void };

const send = (topic: string, payload: unknown) => sendWebhook(server.url, server.secret, { topic, shop, payload });

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > ms) {
      const tasks = await prisma.task.findMany({ where: { shop }, select: { kind: true, status: true, lastError: true } });
      throw new Error(`timed out waiting for ${what}; tasks: ${JSON.stringify(tasks)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function subscriber(phone: string) {
  return prisma.subscriber.create({ data: { shop, phone, callingCode: "34", status: "subscribed", scope: "marketing" } });
}

beforeAll(async () => {
  fake = await startFakeWhatsApp({
    numbers: [{ phoneNumberId: seed.phoneNumberId, wabaId: seed.wabaId, accessToken: seed.token }],
    templates: { [seed.wabaId]: FLOW_TEMPLATES },
    appSecret: APP_SECRET,
    autoStatuses: true,
    statusDelayMs: 20,
  });
  // Wall time plus a jump the test controls: tasks stamped by the database stay due, and the
  // hour before a reminder passes in an instant.
  admin = await startFakeShopifyAdmin();
  admin.store.seedShop({ domain: shop, accessToken: ADMIN_TOKEN });
  const { useProcessClock } = await import("../../../app/shared/clock");
  let offset = 0;
  clock = { now: () => new Date(Date.now() + offset), advance: (ms: number) => void (offset += ms) };
  useProcessClock(clock);
  server = await startTestServer({
    DISPATCHER: "on",
    WHATSAPP_API_ORIGIN: fake.origin,
    WHATSAPP_APP_SECRET: APP_SECRET,
    SHOPIFY_ADMIN_API_ORIGIN: admin.origin,
  });
  fake.setWebhookUrl(`${server.url}/whatsapp/webhook`);
  ({ default: prisma } = await import("../../../app/db.server"));
  await seedShop(prisma, seed, { marketingCapPerDay: 5, marketingCapPerWeek: 10 });
  await prisma.session.create({
    data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: ADMIN_TOKEN, scope: "write_discounts" },
  });
  for (const t of FLOW_TEMPLATES) {
    await prisma.messageTemplate.create({
      data: { shop, name: t.name, language: t.language, category: t.category, status: "APPROVED", components: t.components as object[] },
    });
  }
  await prisma.flowSetting.createMany({
    data: [
      {
        shop,
        flow: "abandoned_cart",
        enabled: true,
        config: { steps: [{ delayHours: 1, templateName: "cart_reminder_1", language: "en", discount: null }] },
      },
      { shop, flow: "back_in_stock", enabled: true, config: { templateName: "back_in_stock", messagesPerUnit: 1 } },
    ],
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  await admin?.close();
  const { useProcessClock } = await import("../../../app/shared/clock");
  useProcessClock({ now: () => new Date() });
});

const PHONE_BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
async function tapLink(token: string, userAgent = PHONE_BROWSER) {
  return fetch(`${server.url}/r/${token}`, { redirect: "manual", headers: { "User-Agent": userAgent } });
}

describe("abandoned cart, end to end", () => {
  it("reminds an hour after the checkout stalls, follows the tap, and credits the order", async () => {
    const shopper = await subscriber("+34611000001");
    const line = { variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Linen Shirt", quantity: 2, price: "39.90" };
    const start = clock.now();
    const cart = cartPayload({ lines: [line], updatedAt: start, currency: "EUR" });
    expect((await send("carts/create", cart)).status).toBe(200);
    const checkout = checkoutPayload({ cartToken: cart.token, phone: shopper.phone, lines: [line], updatedAt: start, currency: "EUR" } as Parameters<typeof checkoutPayload>[0]);
    expect((await send("checkouts/create", checkout)).status).toBe(200);

    const planned = await waitFor("the reminder to be planned", () =>
      prisma.notification.findFirst({ where: { shop, flow: "abandoned_cart", cartToken: cart.token, status: "scheduled" } }),
    );
    expect(planned.subscriberId).toBe(shopper.id);
    expect(planned.sendAt.getTime()).toBe(new Date(checkout.updated_at).getTime() + 3_600_000);

    // Not yet due: nothing goes out before the hour.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fake.accepted.some((m) => m.callbackData === planned.id)).toBe(false);

    clock.advance(61 * 60_000);
    const message = await waitFor("the reminder at the fake WhatsApp", async () => fake.accepted.find((m) => m.callbackData === planned.id));
    expect(message.template).toBe("cart_reminder_1");
    expect(message.to.replace(/^\+/, "")).toBe(shopper.phone.replace(/^\+/, ""));
    const button = message.components.find((c) => c.type === "button") as { parameters: Array<{ text: string }> } | undefined;
    const token = button!.parameters[0].text;

    // WhatsApp's link-preview fetcher is redirected but not counted as the shopper's tap.
    const preview = await tapLink(token, "WhatsApp/2.24.1.5 A");
    expect(preview.status).toBe(302);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: planned.id } })).clickedAt).toBeNull();

    const tapped = await tapLink(token);
    expect(tapped.status).toBe(302);
    const location = new URL(tapped.headers.get("location")!);
    expect(location.href.startsWith(checkout.abandoned_checkout_url.split("?")[0])).toBe(true);
    expect(Object.fromEntries(["utm_source", "utm_medium", "utm_campaign"].map((k) => [k, location.searchParams.get(k)]))).toEqual({
      utm_source: "whatsapp",
      utm_medium: "rebound",
      utm_campaign: "abandoned_cart",
    });
    const clicked = await prisma.notification.findUniqueOrThrow({ where: { id: planned.id } });
    expect(clicked.clickedAt).not.toBeNull();
    expect(await prisma.click.count({ where: { shop, notificationId: planned.id } })).toBe(1);

    const order = orderPayload({
      cartToken: cart.token,
      checkoutToken: checkout.token,
      phone: shopper.phone,
      lines: [line],
      createdAt: new Date(clock.now().getTime() + 10 * 60_000),
      currency: "EUR",
    });
    expect((await send("orders/create", order)).status).toBe(200);
    const credit = await waitFor("the attribution", () => prisma.attribution.findFirst({ where: { shop, orderId: String(order.id) } }));
    expect(credit).toMatchObject({ notificationId: planned.id, flow: "abandoned_cart", step: 1, matchedBy: "cart", currency: "EUR" });
    expect(credit.revenue.toString()).toBe("79.8");
  });

  it("answers 404 to a token it never issued", async () => {
    expect((await tapLink("0123456789abcdef0123456789abcdef")).status).toBe(404);
    expect((await tapLink("not-a-token")).status).toBe(404);
  });

  it("cancels the pending reminder when the order comes before it", async () => {
    const shopper = await subscriber("+34611000002");
    const line = { variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Belt", quantity: 1, price: "15.00" };
    const cart = cartPayload({ lines: [line], updatedAt: clock.now() });
    await send("carts/create", cart);
    await send("checkouts/create", checkoutPayload({ cartToken: cart.token, phone: shopper.phone, lines: [line], updatedAt: clock.now() } as Parameters<typeof checkoutPayload>[0]));
    const planned = await waitFor("the reminder to be planned", () =>
      prisma.notification.findFirst({ where: { shop, flow: "abandoned_cart", cartToken: cart.token } }),
    );
    await send("orders/create", orderPayload({ cartToken: cart.token, phone: shopper.phone, lines: [line], createdAt: clock.now() }));
    const cancelled = await waitFor("the reminder to be cancelled", async () => {
      const row = await prisma.notification.findUniqueOrThrow({ where: { id: planned.id } });
      return row.status === "cancelled" ? row : null;
    });
    expect(cancelled.decisionReason).toBe("order_placed");
  });
});

describe("abandoned cart discount", () => {
  it("creates the step's unique code through the Admin API and puts it in the message and the link", async () => {
    await prisma.flowSetting.update({
      where: { shop_flow: { shop, flow: "abandoned_cart" } },
      data: {
        config: {
          steps: [
            { delayHours: 1, templateName: "cart_reminder_1", language: "en", discount: null },
            { delayHours: 24, templateName: "cart_reminder_1", language: "en", discount: { kind: "percentage", value: 15, validHours: 48 } },
          ],
        },
      },
    });
    const shopper = await subscriber("+34611000003");
    const line = { variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Scarf", quantity: 3, price: "10.00" };
    const cart = cartPayload({ lines: [line], updatedAt: clock.now() });
    await send("carts/create", cart);
    await send("checkouts/create", checkoutPayload({ cartToken: cart.token, phone: shopper.phone, lines: [line], updatedAt: clock.now() } as Parameters<typeof checkoutPayload>[0]));
    const second = await waitFor("the discounted step", () =>
      prisma.notification.findFirst({ where: { shop, flow: "abandoned_cart", cartToken: cart.token, step: 2 } }),
    );
    const code = (second.params as { body: string[] }).body[2];
    expect(code).toMatch(/^RB[0-9A-Z]{10}$/);
    const created = await waitFor("the code at the fake Admin API", async () => discountCodes.get(shop)?.get(code));
    expect(created).toMatchObject({ code, usageLimit: 1, customerGets: { value: { percentage: 0.15 } } });
    const link = await prisma.trackedLink.findFirstOrThrow({ where: { shop, notificationId: second.id } });
    expect(new URL(link.destination).searchParams.get("discount")).toBe(code);
    await prisma.flowSetting.update({
      where: { shop_flow: { shop, flow: "abandoned_cart" } },
      data: { config: { steps: [{ delayHours: 1, templateName: "cart_reminder_1", language: "en", discount: null }] } },
    });
  });
});

describe("back in stock, end to end", () => {
  it("tells the first shopper in line when one unit comes back, and credits their order", async () => {
    const first = await subscriber("+34611000010");
    const second = await subscriber("+34611000011");
    const productId = shopifyNumericId();
    const variantId = shopifyNumericId();
    const item = shopifyNumericId();
    const product = productPayload({
      id: productId,
      title: "Moka Pot",
      handle: "moka-pot",
      variants: [{ id: variantId, inventoryItemId: item, price: "42.00", title: "6 cups", inventoryQuantity: 0 }],
      updatedAt: clock.now(),
    });
    expect((await send("products/update", product)).status).toBe(200);
    for (const [i, s] of [first, second].entries()) {
      await prisma.backInStockRequest.create({
        data: { shop, subscriberId: s.id, variantId: String(variantId), productId: String(productId), createdAt: new Date(clock.now().getTime() - (10 - i) * 60_000) },
      });
    }

    const restock = inventoryLevelPayload({ inventoryItemId: item, locationId: shopifyNumericId(), available: 1, updatedAt: new Date(clock.now().getTime() + 1000) });
    expect((await send("inventory_levels/update", restock)).status).toBe(200);

    const planned = await waitFor("the alert to be planned", () =>
      prisma.notification.findFirst({ where: { shop, flow: "back_in_stock", variantId: String(variantId) } }),
    );
    expect(planned.subscriberId).toBe(first.id);
    expect(await prisma.notification.count({ where: { shop, flow: "back_in_stock", variantId: String(variantId) } })).toBe(1);
    const requests = await prisma.backInStockRequest.findMany({ where: { shop, variantId: String(variantId) }, orderBy: { createdAt: "asc" } });
    expect(requests.map((r) => r.status)).toEqual(["notified", "waiting"]);

    const message = await waitFor("the alert at the fake WhatsApp", async () => fake.accepted.find((m) => m.callbackData === planned.id));
    expect(message.template).toBe("back_in_stock");
    const body = message.components.find((c) => c.type === "body") as { parameters: Array<{ text: string }> };
    expect(body.parameters.map((p) => p.text)).toEqual(["Moka Pot", "6 cups"]);
    const button = message.components.find((c) => c.type === "button") as { parameters: Array<{ text: string }> };

    const tapped = await tapLink(button.parameters[0].text);
    expect(tapped.status).toBe(302);
    const location = new URL(tapped.headers.get("location")!);
    expect(location.pathname).toBe("/products/moka-pot");
    expect(location.searchParams.get("variant")).toBe(String(variantId));
    expect(location.searchParams.get("utm_campaign")).toBe("back_in_stock");

    const order = orderPayload({
      phone: first.phone,
      lines: [{ variantId, productId, title: "Moka Pot - 6 cups", quantity: 1, price: "42.00" }],
      createdAt: new Date(clock.now().getTime() + 60_000),
    });
    expect((await send("orders/create", order)).status).toBe(200);
    const credit = await waitFor("the attribution", () => prisma.attribution.findFirst({ where: { shop, orderId: String(order.id) } }));
    expect(credit).toMatchObject({ notificationId: planned.id, flow: "back_in_stock", matchedBy: "phone" });
    expect(credit.revenue.toString()).toBe("42");
  });
});
