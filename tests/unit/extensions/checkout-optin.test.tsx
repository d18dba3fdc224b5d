// @vitest-environment happy-dom
/// <reference types="@shopify/ui-extensions/purchase.checkout.contact.render-after" />
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getExtension } from "@shopify/ui-extensions-tester";
import { REQUEST_TIMEOUT_MS, TOKEN_TIMEOUT_MS } from "../../../extensions/checkout-optin/src/backend";
import { bannerText, click, element, extensionRoot, grantCustomerData, prop, tick, translator, type } from "./checkout-harness";
import * as module from "../../../extensions/checkout-optin/src/Checkout";

/**
 * The checkout opt-in extension against Shopify's mock `shopify` global: the buyer's phone is
 * offered and only consent is asked, another number can be given, the box is never pre-ticked,
 * the request carries the session token and the exact text, and every failure ends in a short
 * message instead of a spinner.
 */
const english = translator("en.default.json");
const extension = getExtension("purchase.checkout.contact.render-after", { configSearchDir: extensionRoot });

// extension.render() imports the module from inside node_modules, where vitest does not compile
// TSX; importing it here gets the same module through vitest's transform.
async function render() {
  // Preact keeps its render state on the container; a fresh <body> per test starts clean.
  document.documentElement.replaceChild(document.createElement("body"), document.body);
  await module.default();
  await vi.waitFor(() => expect(element("s-checkbox")).not.toBeNull());
}

describe("checkout opt-in extension", () => {
  let requests: Array<{ url: string; init: RequestInit }>;

  beforeEach(() => {
    extension.setUp();
    requests = [];
    extension.shopify.i18n.translate = english as typeof extension.shopify.i18n.translate;
    extension.shopify.shop.name = "Tienda Sol";
    grantCustomerData(extension.shopify, { phone: "+34 612 34 56 78", shipping: { countryCode: "ES" } });
    extension.shopify.checkoutToken.value = "chk-token-1";
    extension.shopify.sessionToken.get = async () => "session-token-xyz";
    extension.fetch = (async (url: string, init: RequestInit) => {
      requests.push({ url, init });
      return new Response(JSON.stringify({ ok: true }), { status: 200 });
    }) as typeof fetch;
  });
  afterEach(() => {
    vi.useRealTimers();
    extension.tearDown();
  });

  it("asks only for consent when checkout has the buyer's phone, box unticked", async () => {
    await render();
    expect(element("s-phone-field")).toBeNull();
    expect(element("s-text")?.textContent).toBe(english("known_phone", { phone: "+34 612 34 56 78" }));
    expect(prop("s-checkbox", "checked") ?? "false").not.toBe("true");
    expect(prop("s-checkbox", "label")).toBe(english("consent", { store: "Tienda Sol" }));
    expect(prop("s-checkbox", "label")).toContain("WhatsApp");
    expect(element("s-link")?.textContent).toBe("Use another number");
  });

  it("refuses to send without the box ticked, then sends the buyer's phone with the session token", async () => {
    await render();
    await click("s-button");
    await vi.waitFor(() => expect(prop("s-checkbox", "error")).toContain("Tick the box"));
    expect(requests).toHaveLength(0);

    await tick();
    await click("s-button");
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    const [{ url, init }] = requests;
    expect(url).toBe("http://127.0.0.1:3000/api/checkout-optin");
    expect(new Headers(init.headers).get("authorization")).toBe("Bearer session-token-xyz");
    const body = JSON.parse(String(init.body));
    expect(body).toMatchObject({ phone: "+34 612 34 56 78", country: "ES", source: "checkout", checkoutToken: "chk-token-1" });
    expect(body.consentText).toBe(english("consent", { store: "Tienda Sol" }));
    expect(body.textVersion).toMatch(/^t[0-9a-f]+$/);
    // Nothing claims the number is verified: the app treats it like any typed number.
    expect(Object.keys(body).sort()).toEqual(["checkoutToken", "consentText", "country", "locale", "phone", "source", "textVersion"]);
    await vi.waitFor(() => expect(bannerText()).toBe(english("accepted")));
  });

  it("takes another number instead of the buyer's, and can go back", async () => {
    await render();
    await click("s-link");
    await vi.waitFor(() => expect(element("s-phone-field")).not.toBeNull());
    expect(prop("s-phone-field", "value")).toBe("");
    await tick();
    await click("s-button");
    await vi.waitFor(() => expect(prop("s-phone-field", "error")).toBe("Enter your WhatsApp number."));
    expect(requests).toHaveLength(0);

    await type("+34 699 00 11 22");
    await click("s-button");
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    expect(JSON.parse(String(requests[0].init.body)).phone).toBe("+34 699 00 11 22");
  });

  it("goes back to the buyer's phone from the other-number field", async () => {
    await render();
    await click("s-link");
    await vi.waitFor(() => expect(element("s-link")?.textContent).toBe("Use +34 612 34 56 78 instead"));
    await click("s-link");
    await vi.waitFor(() => expect(element("s-phone-field")).toBeNull());
    expect(element("s-text")?.textContent).toContain("+34 612 34 56 78");
  });

  it("asks for the number when the app may not read the buyer's phone", async () => {
    // No protected customer data: Shopify leaves buyerIdentity and the addresses out.
    extension.tearDown();
    extension.setUp();
    extension.shopify.i18n.translate = english as typeof extension.shopify.i18n.translate;
    extension.shopify.sessionToken.get = async () => "session-token-xyz";
    await render();
    expect(element("s-phone-field")).not.toBeNull();
    expect(element("s-link")).toBeNull();
  });

  it("shows the server's invalid-phone answer on the field", async () => {
    extension.fetch = (async () => new Response(JSON.stringify({ ok: false, code: "invalid_phone", field: "phone" }), { status: 422 })) as typeof fetch;
    await render();
    await click("s-link");
    await vi.waitFor(() => expect(element("s-phone-field")).not.toBeNull());
    await type("+34 1");
    await tick();
    await click("s-button");
    await vi.waitFor(() => expect(prop("s-phone-field", "error")).toContain("doesn't look right"));
  });

  describe("when sign-up cannot complete", () => {
    async function submitConsent() {
      await render();
      await tick();
      await click("s-button");
    }

    it("says so when the session token is refused, and sends nothing", async () => {
      extension.shopify.sessionToken.get = () => Promise.reject(new Error("token unavailable"));
      await submitConsent();
      await vi.waitFor(() => expect(bannerText()).toBe(english("errors.unavailable")));
      expect(requests).toHaveLength(0);
      expect(prop("s-button", "loading") ?? "false").not.toBe("true");
    });

    it("stops waiting for a session token that never comes", async () => {
      extension.shopify.sessionToken.get = () => new Promise<string>(() => {});
      await render();
      await tick();
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      await click("s-button");
      await vi.advanceTimersByTimeAsync(TOKEN_TIMEOUT_MS - 1);
      expect(bannerText()).toBeNull();
      await vi.advanceTimersByTimeAsync(1);
      await vi.waitFor(() => expect(bannerText()).toBe(english("errors.unavailable")));
      expect(requests).toHaveLength(0);
    });

    it("shows the error when the app fails", async () => {
      extension.fetch = (async () => new Response("<h1>Application error</h1>", { status: 502 })) as typeof fetch;
      await submitConsent();
      await vi.waitFor(() => expect(bannerText()).toBe(english("errors.server")));
      expect(prop("s-button", "loading") ?? "false").not.toBe("true");
    });

    it("treats a token the app refuses as unavailable", async () => {
      extension.fetch = (async () => new Response("", { status: 401 })) as typeof fetch;
      await submitConsent();
      await vi.waitFor(() => expect(bannerText()).toBe(english("errors.unavailable")));
    });

    it("shows the error when the network fails", async () => {
      extension.fetch = (async () => {
        throw new TypeError("Failed to fetch");
      }) as typeof fetch;
      await submitConsent();
      await vi.waitFor(() => expect(bannerText()).toBe(english("errors.network")));
    });

    it("gives up on a request that hangs and aborts it", async () => {
      let signal: AbortSignal | undefined;
      extension.fetch = ((_url: string, init: RequestInit) => {
        signal = init.signal ?? undefined;
        return new Promise<Response>(() => {});
      }) as typeof fetch;
      await render();
      await tick();
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      await click("s-button");
      await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);
      await vi.waitFor(() => expect(bannerText()).toBe(english("errors.network")));
      expect(signal?.aborted).toBe(true);
    });

    it("lets the shopper try again after a failure", async () => {
      let calls = 0;
      extension.fetch = (async () => {
        calls += 1;
        return calls === 1
          ? new Response(JSON.stringify({ ok: false, code: "internal" }), { status: 500 })
          : new Response(JSON.stringify({ ok: true }), { status: 200 });
      }) as typeof fetch;
      await submitConsent();
      await vi.waitFor(() => expect(bannerText()).toBe(english("errors.server")));
      await click("s-button");
      await vi.waitFor(() => expect(bannerText()).toBe(english("accepted")));
    });
  });
});
