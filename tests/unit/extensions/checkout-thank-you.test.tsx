// @vitest-environment happy-dom
/// <reference types="@shopify/ui-extensions/purchase.thank-you.block.render" />
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getExtension } from "@shopify/ui-extensions-tester";
import { bannerText, click, element, extensionRoot, grantCustomerData, prop, tick, translator } from "./checkout-harness";
import * as module from "../../../extensions/checkout-optin/src/ThankYou";

/** The thank-you page target: the order's phone offered for consent, the order id sent as context. */
const german = translator("de.json");
const extension = getExtension("purchase.thank-you.block.render", { configSearchDir: extensionRoot });

async function render() {
  document.documentElement.replaceChild(document.createElement("body"), document.body);
  await module.default();
  await vi.waitFor(() => expect(element("s-checkbox")).not.toBeNull());
}

describe("thank-you opt-in extension", () => {
  let bodies: Array<Record<string, unknown>>;
  beforeEach(() => {
    extension.setUp();
    bodies = [];
    extension.shopify.i18n.translate = german as typeof extension.shopify.i18n.translate;
    extension.shopify.shop.name = "Laden Nord";
    grantCustomerData(extension.shopify, { shipping: { countryCode: "DE", phone: "01512 3456789" } });
    extension.shopify.orderConfirmation.value = { order: { id: "gid://shopify/Order/777001" }, number: "1001", isFirstOrder: true } as typeof extension.shopify.orderConfirmation.value;
    extension.shopify.sessionToken.get = async () => "tok";
    extension.fetch = (async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)));
      return new Response(JSON.stringify({ ok: true }), { status: 200 });
    }) as typeof fetch;
  });
  afterEach(() => extension.tearDown());

  it("offers the shipping phone for consent and sends the order id with source thank_you", async () => {
    await render();
    expect(element("s-phone-field")).toBeNull();
    expect(element("s-text")?.textContent).toBe("Wir schreiben dir per WhatsApp an 01512 3456789.");
    expect(prop("s-checkbox", "label")).toBe(german("consent", { store: "Laden Nord" }));
    await tick();
    await click("s-button");
    await vi.waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({ source: "thank_you", orderId: "777001", phone: "01512 3456789", country: "DE", locale: "en" });
    await vi.waitFor(() => expect(bannerText()).toBe(german("accepted")));
  });

  it("falls back to the billing phone", async () => {
    grantCustomerData(extension.shopify, { shipping: undefined, billingPhone: "+49 30 1234567" });
    await render();
    expect(element("s-text")?.textContent).toContain("+49 30 1234567");
  });

  it("shows the error in the shopper's language when the session token fails", async () => {
    extension.shopify.sessionToken.get = () => Promise.reject(new Error("no token"));
    await render();
    await tick();
    await click("s-button");
    await vi.waitFor(() => expect(bannerText()).toBe(german("errors.unavailable")));
    expect(bodies).toHaveLength(0);
  });
});
