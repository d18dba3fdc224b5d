import { describe, expect, it } from "vitest";
import { proxyFetch } from "../../fakes/shopify/app-proxy";
import { inventoryLevelPayload, productPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import type { FakeTemplate } from "../../fakes/whatsapp/server";
import { bodyTexts, marketingTemplate, useFlowHarness } from "./harness";

/**
 * Every flow sends in the shopper's language when the shop has that translation approved (and it
 * fits), and in the flow's configured language otherwise; the row records the language sent. The
 * opt-in confirmation goes in the shopper's language, else the shop's, else English.
 */
const restock = (language: string, body: string): FakeTemplate => ({ ...marketingTemplate("restock_alert", body), language });
const confirmation = (language: string, body: string): FakeTemplate => ({
  name: "optin_confirmation",
  language,
  category: "UTILITY",
  components: [
    { type: "BODY", text: body },
    { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Yes" }, { type: "QUICK_REPLY", text: "Stop" }] },
  ],
});

const h = useFlowHarness({
  shop: "language-e2e.myshopify.com",
  templates: [
    restock("en", "{{1}} ({{2}}) is back."),
    restock("es", "{{1}} ({{2}}) vuelve a estar disponible."),
    // German is approved but sends one value fewer than the flow: never chosen.
    restock("de", "{{1}} ist wieder da."),
    confirmation("es", "¿Quieres recibir mensajes de {{1}} por WhatsApp?"),
    confirmation("de", "Möchtest du Nachrichten von {{1}} auf WhatsApp erhalten?"),
  ],
  flows: [{ flow: "back_in_stock", config: { templateName: "restock_alert", language: "en", messagesPerUnit: null } }],
});

describe("a flow in the shopper's language", () => {
  it("sends es to a Spanish shopper, the configured en to French and German ones, and records it", async () => {
    const shoppers = await Promise.all(
      (["es-ES", "fr", "de"] as const).map((locale, i) =>
        h.prisma.subscriber.create({
          data: { shop: h.shop, phone: `+3461200000${i}`, callingCode: "34", status: "subscribed", scope: "marketing", locale },
        }),
      ),
    );
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
    await h.prisma.backInStockRequest.createMany({
      data: shoppers.map((s) => ({ shop: h.shop, subscriberId: s.id, variantId: String(variantId), productId: String(productId) })),
    });
    const restocked = inventoryLevelPayload({ inventoryItemId: item, locationId: shopifyNumericId(), available: 5, updatedAt: new Date(h.clock.now().getTime() + 1000) });
    expect((await h.send("inventory_levels/update", restocked)).status).toBe(200);

    const rows = await h.waitFor("three alerts to be sent", async () => {
      const sent = await h.prisma.notification.findMany({ where: { shop: h.shop, flow: "back_in_stock", status: { in: ["sent", "delivered", "read"] } } });
      return sent.length === 3 ? sent : null;
    });
    const languageOf = (subscriberId: string) => rows.find((r) => r.subscriberId === subscriberId)!.templateLanguage;
    expect(shoppers.map((s) => languageOf(s.id))).toEqual(["es", "en", "en"]);

    const messages = await Promise.all(rows.map((r) => h.delivered(r.id)));
    const spanish = messages.find((m) => m.callbackData === rows.find((r) => r.subscriberId === shoppers[0].id)!.id)!;
    expect(spanish).toMatchObject({ template: "restock_alert", language: "es" });
    expect(bodyTexts(spanish)).toEqual(["Moka Pot", "6 cups"]);
    expect(messages.filter((m) => m.language === "en")).toHaveLength(2);

    // The message log shows the language that went out.
    const page = await h.adminFetch(`/app/messages/${rows.find((r) => r.subscriberId === shoppers[0].id)!.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("restock_alert (es)");
  });
});

describe("the opt-in confirmation's language", () => {
  const optIn = (phone: string, locale: string) =>
    proxyFetch(
      h.server.url,
      h.server.secret,
      { shop: h.shop, path: "/optin" },
      {
        body: JSON.stringify({
          phone,
          country: "ES",
          variantId: "4001",
          productId: "3001",
          source: "product_block",
          consentText: "Send me a WhatsApp message from language-e2e when this is back in stock. Reply STOP to opt out.",
          textVersion: "v1",
          locale,
          website: "",
        }),
        contentType: "application/json",
        forwardedFor: `198.51.100.${phone.slice(-2)}`,
      },
    );

  const sentConfirmation = async (phone: string) => {
    const subscriber = await h.waitFor(`subscriber ${phone}`, () => h.prisma.subscriber.findFirst({ where: { shop: h.shop, phone } }));
    const row = await h.waitFor(`the confirmation to ${phone}`, () =>
      h.prisma.notification.findFirst({ where: { shop: h.shop, subscriberId: subscriber.id, flow: "optin_confirmation", status: { in: ["sent", "delivered", "read"] } } }),
    );
    return { row, message: await h.delivered(row.id), subscriber };
  };

  it("asks a Spanish shopper in Spanish", async () => {
    const response = await optIn("+34622000010", "es");
    expect(response.status).toBe(200);
    const { row, message, subscriber } = await sentConfirmation("+34622000010");
    expect(row.templateLanguage).toBe("es");
    expect(message).toMatchObject({ template: "optin_confirmation", language: "es" });
    expect(subscriber.status).toBe("pending");
  });

  it("asks a French shopper in the shop's language when there is no French one", async () => {
    await h.prisma.shop.update({ where: { shop: h.shop }, data: { primaryLocale: "de-DE" } });
    const response = await optIn("+34622000011", "fr");
    expect(response.status).toBe(200);
    const { row, message } = await sentConfirmation("+34622000011");
    expect(row.templateLanguage).toBe("de");
    expect(message).toMatchObject({ template: "optin_confirmation", language: "de" });
  });
});
