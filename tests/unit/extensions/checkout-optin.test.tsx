// @vitest-environment happy-dom
/// <reference types="@shopify/ui-extensions/purchase.checkout.contact.render-after" />
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getExtension } from "@shopify/ui-extensions-tester";

/**
 * The checkout opt-in extension against Shopify's mock `shopify` global: phone prefilled from
 * the buyer, box never pre-ticked, the request carries the session token and the exact text.
 */
const root = path.resolve("extensions/checkout-optin");
const english = JSON.parse(readFileSync(path.join(root, "locales/en.default.json"), "utf8"));

function translate(key: string, options?: Record<string, string>) {
  const value = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], english);
  return String(value ?? key).replace(/\{\{(\w+)\}\}/g, (_m, name: string) => options?.[name] ?? "");
}

const extension = getExtension("purchase.checkout.contact.render-after", { configSearchDir: root });

// extension.render() imports the module from inside node_modules, where vitest does not compile
// TSX; importing it here gets the same module through vitest's transform.
async function render() {
  const module = await import("../../../extensions/checkout-optin/src/Checkout");
  // Preact keeps its render state on the container; a fresh <body> per test starts clean.
  document.documentElement.replaceChild(document.createElement("body"), document.body);
  await module.default();
}

/** Preact sets unknown custom-element props as attributes under a DOM without Shopify's elements. */
function prop(selector: string, name: string): string | null {
  const element = document.body.querySelector(selector) as (HTMLElement & Record<string, unknown>) | null;
  if (!element) return null;
  const value = element[name];
  return value !== undefined && value !== null ? String(value) : element.getAttribute(name);
}

describe("checkout opt-in extension", () => {
  let requests: Array<{ url: string; init: RequestInit }>;

  beforeEach(() => {
    extension.setUp();
    requests = [];
    extension.shopify.i18n.translate = translate as typeof extension.shopify.i18n.translate;
    extension.shopify.shop.name = "Tienda Sol";
    // buyerIdentity and the addresses need protected customer data access, so the mock leaves
    // them out (and throws on reading them); define them as a store that granted access would.
    const signal = <T,>(value: T) => ({ value, subscribe: () => () => {} });
    for (const [key, value] of Object.entries({
      buyerIdentity: { phone: signal("+34 612 34 56 78"), email: signal(undefined), customer: signal(undefined) },
      shippingAddress: signal({ countryCode: "ES", phone: undefined }),
      billingAddress: signal(undefined),
    })) {
      Object.defineProperty(extension.shopify, key, { value, writable: true, configurable: true, enumerable: true });
    }
    extension.shopify.checkoutToken.value = "chk-token-1";
    extension.shopify.sessionToken.get = async () => "session-token-xyz";
    extension.fetch = (async (url: string, init: RequestInit) => {
      requests.push({ url, init });
      return new Response(JSON.stringify({ ok: true, status: "pending", confirmationSent: true }), { status: 201 });
    }) as typeof fetch;
  });
  afterEach(() => extension.tearDown());

  it("prefills the buyer's phone and leaves the box unticked", async () => {
    await render();
    await vi.waitFor(() => expect(document.body.querySelector("s-phone-field")).not.toBeNull());
    expect(prop("s-phone-field", "value")).toBe("+34 612 34 56 78");
    expect(prop("s-checkbox", "checked") ?? "false").not.toBe("true");
    expect(prop("s-checkbox", "label")).toContain("Tienda Sol");
    expect(prop("s-checkbox", "label")).toContain("WhatsApp");
  });

  it("refuses to send without the box ticked, then sends with the session token", async () => {
    await render();
    await vi.waitFor(() => expect(document.body.querySelector("s-button")).not.toBeNull());
    (document.body.querySelector("s-button") as HTMLElement).dispatchEvent(new Event("click"));
    await vi.waitFor(() => expect(prop("s-checkbox", "error")).toContain("Tick the box"));
    expect(requests).toHaveLength(0);

    const checkbox = document.body.querySelector("s-checkbox") as HTMLElement & { checked: boolean };
    checkbox.checked = true;
    checkbox.dispatchEvent(new Event("change"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    (document.body.querySelector("s-button") as HTMLElement).dispatchEvent(new Event("click"));
    await vi.waitFor(() => expect(requests).toHaveLength(1));

    const [{ url, init }] = requests;
    expect(url).toMatch(/\/api\/checkout-optin$/);
    expect(new Headers(init.headers).get("authorization")).toBe("Bearer session-token-xyz");
    const body = JSON.parse(String(init.body));
    expect(body).toMatchObject({ phone: "+34 612 34 56 78", source: "checkout", checkoutToken: "chk-token-1" });
    expect(body.consentText).toBe(translate("consent", { store: "Tienda Sol" }));
    expect(body.textVersion).toMatch(/^t[0-9a-f]+$/);
    await vi.waitFor(() => expect(document.body.querySelector("s-banner")?.textContent).toContain("confirm in the WhatsApp message"));
  });

  it("shows the server's invalid-phone answer on the field", async () => {
    extension.fetch = (async () => new Response(JSON.stringify({ ok: false, code: "invalid_phone", field: "phone" }), { status: 422 })) as typeof fetch;
    await render();
    await vi.waitFor(() => expect(document.body.querySelector("s-checkbox")).not.toBeNull());
    const checkbox = document.body.querySelector("s-checkbox") as HTMLElement & { checked: boolean };
    checkbox.checked = true;
    checkbox.dispatchEvent(new Event("change"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    (document.body.querySelector("s-button") as HTMLElement).dispatchEvent(new Event("click"));
    await vi.waitFor(() => expect(prop("s-phone-field", "error")).toContain("doesn't look right"));
  });
});
