// @vitest-environment happy-dom
/// <reference types="@shopify/ui-extensions/purchase.thank-you.block.render" />
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getExtension } from "@shopify/ui-extensions-tester";

/** The thank-you page target: the order's phone prefilled and the order id sent as context. */
const root = path.resolve("extensions/checkout-optin");
const german = JSON.parse(readFileSync(path.join(root, "locales/de.json"), "utf8"));
const translate = (key: string, options?: Record<string, string>) =>
  String(key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], german) ?? key).replace(
    /\{\{(\w+)\}\}/g,
    (_m, name: string) => options?.[name] ?? "",
  );

const extension = getExtension("purchase.thank-you.block.render", { configSearchDir: root });

async function render() {
  const module = await import("../../../extensions/checkout-optin/src/ThankYou");
  document.documentElement.replaceChild(document.createElement("body"), document.body);
  await module.default();
}

describe("thank-you opt-in extension", () => {
  let bodies: Array<Record<string, unknown>>;
  beforeEach(() => {
    extension.setUp();
    bodies = [];
    extension.shopify.i18n.translate = translate as typeof extension.shopify.i18n.translate;
    extension.shopify.shop.name = "Laden Nord";
    const signal = <T,>(value: T) => ({ value, subscribe: () => () => {} });
    for (const [key, value] of Object.entries({
      buyerIdentity: { phone: signal(undefined), email: signal(undefined), customer: signal(undefined) },
      shippingAddress: signal({ countryCode: "DE", phone: "01512 3456789" }),
      billingAddress: signal(undefined),
    })) {
      Object.defineProperty(extension.shopify, key, { value, writable: true, configurable: true, enumerable: true });
    }
    extension.shopify.orderConfirmation.value = { order: { id: "gid://shopify/Order/777001" }, number: "1001", isFirstOrder: true } as typeof extension.shopify.orderConfirmation.value;
    extension.shopify.sessionToken.get = async () => "tok";
    extension.fetch = (async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)));
      return new Response(JSON.stringify({ ok: true, status: "subscribed" }), { status: 201 });
    }) as typeof fetch;
  });
  afterEach(() => extension.tearDown());

  it("prefills the shipping phone and sends the order id with source thank_you", async () => {
    await render();
    await vi.waitFor(() => expect(document.body.querySelector("s-phone-field")?.getAttribute("value")).toBe("01512 3456789"));
    const checkbox = document.body.querySelector("s-checkbox") as HTMLElement & { checked: boolean };
    expect(checkbox.getAttribute("label")).toContain("Laden Nord");
    checkbox.checked = true;
    checkbox.dispatchEvent(new Event("change"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    (document.body.querySelector("s-button") as HTMLElement).dispatchEvent(new Event("click"));
    await vi.waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({ source: "thank_you", orderId: "777001", phone: "01512 3456789" });
    await vi.waitFor(() => expect(document.body.querySelector("s-banner")?.textContent).toContain("Du bist angemeldet"));
  });
});
