import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { DESKTOP_CHROME_UA, signedProxyUrl } from "../fakes/shopify/app-proxy";
import { themeRenderer } from "../fakes/shopify/theme";
import { startTestServer, type TestServer } from "../support/server";
import { snapshotBuild } from "../../scripts/build-snapshot";
import { chromiumMissing, launchChromium } from "../support/browser";
import prisma from "../../app/db.server";

/**
 * The storefront opt-in blocks in a real browser: rendered from the extension's Liquid, served
 * with page.route on the shop's domain, and posting through a signed app proxy hop to the real
 * app server, as on a live store.
 */
const ARTIFACTS = path.resolve("tests/artifacts");
const shop = "rebound-e2e.myshopify.com";
const STORE = "Rebound Demo Store";
const origin = `https://${shop}`;
const skipReason = chromiumMissing();

const product = {
  id: 7001,
  title: "Linen Tee",
  handle: "linen-tee",
  variants: [
    { id: 111, title: "Small", available: false, price: 2500 },
    { id: 222, title: "Medium", available: true, price: 2500 },
    { id: 333, title: "Large", available: false, price: 2500 },
  ],
};

const blockSettings = {
  heading: "",
  consent_text: "",
  button_label: "",
  text_color: "#1a1a1a",
  background_color: "#f4f6f5",
  button_color: "#1f7a4d",
  button_text_color: "#ffffff",
};

let server: TestServer;
// A private copy of the build: other test runs may rebuild build/ while this one runs.
let snapshot: ReturnType<typeof snapshotBuild> | undefined;
let browser: Browser;
let context: BrowserContext;
const theme = themeRenderer(path.resolve("extensions/whatsapp-optin"));
const spanish = themeRenderer(path.resolve("extensions/whatsapp-optin"), "es");

function storefrontScope(extra: Record<string, unknown>) {
  return {
    shop: { name: STORE },
    request: { locale: { iso_code: "en" } },
    localization: {
      country: { iso_code: "ES" },
      available_countries: [
        { iso_code: "DE", name: "Germany" },
        { iso_code: "ES", name: "Spain" },
        { iso_code: "ID", name: "Indonesia" },
        { iso_code: "BR", name: "Brazil" },
      ],
    },
    cart: { token: "" },
    block: { id: "b1", settings: blockSettings, shopify_attributes: "" },
    ...extra,
  };
}

async function productPage(url: URL) {
  const selected = product.variants.find((v) => String(v.id) === url.searchParams.get("variant")) ?? product.variants.find((v) => v.available)!;
  const block = await theme.render(
    "product-notify",
    storefrontScope({ product: { ...product, selected_or_first_available_variant: selected }, request: { locale: { iso_code: "en" }, path: url.pathname } }),
  );
  const options = product.variants
    .map((v) => `<option value="${v.id}"${v.id === selected.id ? " selected" : ""}>${v.title}${v.available ? "" : " (sold out)"}</option>`)
    .join("");
  return page(`<h1>${product.title}</h1>
<form action="/cart/add" method="post">
  <label for="variant">Size</label>
  <select id="variant" name="id">${options}</select>
  <button type="submit">Add to cart</button>
</form>
<script>
  // Like Dawn: a variant change rewrites ?variant= with history.replaceState.
  document.getElementById('variant').addEventListener('change', function (e) {
    var u = new URL(location.href); u.searchParams.set('variant', e.target.value); history.replaceState({}, '', u);
  });
</script>
${block}`);
}

async function cartPage() {
  const block = await theme.render("cart-optin", storefrontScope({ cart: { token: "c1-e2e-cart?key=abc" } }));
  return page(`<h1>Your cart</h1><p>1 × Linen Tee</p>${block}`);
}

/** A theme with a cart drawer (Dawn's markup) and the app embed at the end of <body>. */
async function drawerPage() {
  const embed = await theme.render(
    "cart-drawer-embed",
    storefrontScope({
      cart: { token: "c1-drawer-cart" },
      block: { id: "e1", settings: { ...blockSettings, drawer_selector: "cart-drawer .drawer__footer" }, shopify_attributes: "" },
    }),
  );
  return page(`<h1>Home</h1><button id="open">Open cart</button>
<script>
  // The theme renders its drawer only when opened, as many do.
  document.getElementById('open').addEventListener('click', function () {
    var drawer = document.createElement('cart-drawer');
    drawer.innerHTML = '<h2>Your cart</h2><p>1 × Linen Tee</p><div class="drawer__footer"><button>Check out</button></div>';
    document.body.insertBefore(drawer, document.body.firstChild.nextSibling);
  });
</script>
${embed}`);
}

async function spanishProductPage() {
  const selected = product.variants[0];
  const scope = storefrontScope({ product: { ...product, selected_or_first_available_variant: selected }, request: { locale: { iso_code: "es" } } });
  return page(`<h1>${product.title}</h1>${await spanish.render("product-notify", scope)}`);
}

function page(body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${STORE}</title><style>body{font-family:system-ui,sans-serif;max-width:640px;margin:24px auto;padding:0 16px;color:#1a1a1a}</style></head>
<body>${body}</body></html>`;
}

async function openStore(on: BrowserContext = context): Promise<Page> {
  const tab = await on.newPage();
  await tab.route("**/*", async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    if (url.origin !== origin) return route.abort();
    if (url.pathname.startsWith("/cdn/shop/extensions/whatsapp-optin/assets/")) {
      const name = path.basename(url.pathname);
      return route.fulfill({ body: theme.asset(name), contentType: name.endsWith(".js") ? "text/javascript" : "text/css" });
    }
    if (url.pathname === "/apps/rebound/optin") {
      // Shopify's app proxy: forward to the app with shop, timestamp and signature added.
      const target = signedProxyUrl(server.url, "/proxy", { shop, path: "/optin", query: url.searchParams }, server.secret);
      const headers: Record<string, string> = {
        "Content-Type": request.headers()["content-type"] ?? "application/octet-stream",
        Accept: request.headers()["accept"] ?? "*/*",
        "User-Agent": request.headers()["user-agent"] ?? "",
        "X-Forwarded-For": "203.0.113.10",
      };
      const answer = await fetch(target, { method: request.method(), headers, body: (request.postDataBuffer() ?? undefined) as BodyInit | undefined });
      // A Liquid answer is rendered by Shopify inside the theme's layout.
      if (answer.headers.get("content-type") === "application/liquid") {
        return route.fulfill({ status: answer.status, body: page(await answer.text()), contentType: "text/html" });
      }
      return route.fulfill({ status: answer.status, body: Buffer.from(await answer.arrayBuffer()), contentType: answer.headers.get("content-type") ?? "application/json" });
    }
    if (url.pathname.startsWith("/products/")) return route.fulfill({ body: await productPage(url), contentType: "text/html" });
    if (url.pathname === "/cart") return route.fulfill({ body: await cartPage(), contentType: "text/html" });
    if (url.pathname === "/") return route.fulfill({ body: await drawerPage(), contentType: "text/html" });
    if (url.pathname === "/es/products/linen-tee") return route.fulfill({ body: await spanishProductPage(), contentType: "text/html" });
    return route.fulfill({ status: 404, body: "not found" });
  });
  return tab;
}

async function shot(tab: Page, name: string) {
  await tab.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function counts() {
  return {
    subscribers: await prisma.subscriber.count(),
    events: await prisma.consentEvent.count(),
    requests: await prisma.backInStockRequest.count(),
  };
}

describe.skipIf(skipReason)("storefront opt-in blocks in Chromium", () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    snapshot = snapshotBuild();
    server = await startTestServer({}, { root: snapshot.root });
    await prisma.shop.create({ data: { shop, name: STORE, countryCode: "ES", settings: { create: {} } } });
    await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", isOnline: false } });
    browser = await launchChromium();
    context = await browser.newContext({ userAgent: DESKTOP_CHROME_UA, viewport: { width: 900, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    snapshot?.remove();
  });

  it("shows the block for a sold-out variant and hides it for an in-stock one", async () => {
    const tab = await openStore();
    await tab.goto(`${origin}/products/linen-tee?variant=111`);
    const block = tab.locator("[data-rebound-notify]");
    await expect.poll(() => block.isVisible()).toBe(true);
    await expect.poll(() => tab.getByLabel("Country").inputValue()).toBe("ES");
    expect(await tab.getByRole("checkbox").isChecked()).toBe(false);
    await shot(tab, "product-sold-out");

    await tab.goto(`${origin}/products/linen-tee?variant=222`);
    await tab.waitForLoadState("load");
    expect(await tab.locator("[data-rebound-notify]").isVisible()).toBe(false);
    await shot(tab, "product-in-stock");
    await tab.close();
  });

  it("follows variant changes", async () => {
    const tab = await openStore();
    await tab.goto(`${origin}/products/linen-tee?variant=222`);
    const block = tab.locator("[data-rebound-notify]");
    await tab.waitForLoadState("load");
    expect(await block.isVisible()).toBe(false);
    await tab.selectOption("#variant", "333");
    await expect.poll(() => block.isVisible()).toBe(true);
    expect(await tab.locator("[data-rebound-form]").getAttribute("data-variant-id")).toBe("333");
    await tab.selectOption("#variant", "222");
    await expect.poll(() => block.isVisible()).toBe(false);
    await tab.close();
  });

  it("a valid submit creates a pending subscriber waiting for that variant", async () => {
    const tab = await openStore();
    await tab.goto(`${origin}/products/linen-tee?variant=111`);
    await tab.getByLabel("WhatsApp number").fill("612 345 678");
    await tab.getByRole("checkbox").check();
    await tab.getByRole("button", { name: "Notify me on WhatsApp" }).click();
    const status = tab.getByRole("status");
    await expect.poll(() => status.textContent()).toContain("Check WhatsApp: if this number needs to confirm");
    await shot(tab, "product-submitted");

    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop, phone: "+34612345678" } } });
    expect(subscriber.status).toBe("pending");
    const request = await prisma.backInStockRequest.findFirstOrThrow({ where: { shop, subscriberId: subscriber.id } });
    expect(request).toMatchObject({ variantId: "111", productId: "7001", status: "waiting" });
    const event = await prisma.consentEvent.findFirstOrThrow({ where: { shop, subscriberId: subscriber.id } });
    expect(event.text).toBe(`Yes, send me a WhatsApp message from ${STORE} when this item is back in stock. Reply STOP at any time to opt out.`);
    expect(event.textVersion).toBe(`v${createHash("md5").update(event.text ?? "").digest("hex").slice(0, 12)}`);
    await tab.close();
  });

  it("works without JavaScript: the form posts, the shop's page answers, the proof is the same", async () => {
    const plain = await browser.newContext({ userAgent: DESKTOP_CHROME_UA, viewport: { width: 900, height: 700 }, javaScriptEnabled: false });
    try {
      const tab = await openStore(plain);
      await tab.goto(`${origin}/products/linen-tee?variant=333`);
      await tab.getByLabel("WhatsApp number").fill("612 345 699");
      await tab.getByRole("button", { name: "Notify me on WhatsApp" }).click();
      await tab.getByText("Please tick the box").waitFor();
      expect(await prisma.subscriber.count({ where: { shop, phone: "+34612345699" } })).toBe(0);
      await tab.getByRole("link", { name: "Back to the store" }).click();
      await tab.getByLabel("WhatsApp number").fill("612 345 699");
      await tab.getByRole("checkbox").check();
      await tab.getByRole("button", { name: "Notify me on WhatsApp" }).click();
      await tab.getByText("Check WhatsApp: if this number needs to confirm").waitFor();
      await shot(tab, "product-submitted-without-js");
      const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop, phone: "+34612345699" } } });
      const request = await prisma.backInStockRequest.findFirstOrThrow({ where: { shop, subscriberId: subscriber.id } });
      expect(request).toMatchObject({ variantId: "333", productId: "7001", status: "waiting" });
      const event = await prisma.consentEvent.findFirstOrThrow({ where: { shop, subscriberId: subscriber.id } });
      const text = `Yes, send me a WhatsApp message from ${STORE} when this item is back in stock. Reply STOP at any time to opt out.`;
      expect(event).toMatchObject({ source: "product_block", text, textVersion: `v${createHash("md5").update(text).digest("hex").slice(0, 12)}`, locale: "en" });
      await tab.getByRole("link", { name: "Back to the store" }).click();
      await tab.waitForURL(`${origin}/products/linen-tee?variant=333`);
      expect(await tab.getByRole("button", { name: "Notify me on WhatsApp" }).isVisible()).toBe(true);
    } finally {
      await plain.close();
    }
  });

  it("an invalid phone shows an error and stores nothing", async () => {
    const before = await counts();
    const tab = await openStore();
    await tab.goto(`${origin}/products/linen-tee?variant=333`);
    // Unticked box first: refused in the browser, announced.
    await tab.getByLabel("WhatsApp number").fill("12");
    await tab.getByRole("button", { name: "Notify me on WhatsApp" }).click();
    await expect.poll(() => tab.getByRole("status").textContent()).toContain("tick the box");
    await tab.getByRole("checkbox").check();
    await tab.getByRole("button", { name: "Notify me on WhatsApp" }).click();
    await expect.poll(() => tab.getByRole("status").textContent()).toContain("doesn't look right");
    expect(await tab.getByLabel("WhatsApp number").getAttribute("aria-invalid")).toBe("true");
    await shot(tab, "product-invalid-phone");
    expect(await counts()).toEqual(before);
    await tab.close();
  });

  it("the cart block links the opt-in to the cart token", async () => {
    const tab = await openStore();
    await tab.goto(`${origin}/cart`);
    await tab.getByLabel("Country").selectOption("DE");
    await tab.getByLabel("WhatsApp number").fill("01512 3456789");
    await tab.getByRole("checkbox").check();
    await tab.getByRole("button", { name: "Send me WhatsApp updates" }).click();
    await expect.poll(() => tab.getByRole("status").textContent()).toContain("Check WhatsApp: if this number needs to confirm");
    await shot(tab, "cart-submitted");
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop, phone: "+4915123456789" } } });
    expect(subscriber.acceptsOffers).toBe(true);
    const event = await prisma.consentEvent.findFirstOrThrow({ where: { shop, subscriberId: subscriber.id } });
    expect(event.source).toBe("cart_block");
    expect((event.context as Record<string, unknown>).cartToken).toBe("c1-e2e-cart");
    await tab.close();
  });

  it("the app embed places the opt-in inside a cart drawer the theme opens later", async () => {
    const tab = await openStore();
    await tab.goto(`${origin}/`);
    await tab.waitForLoadState("load");
    expect(await tab.locator("cart-drawer").count()).toBe(0);
    await tab.click("#open");
    const form = tab.locator("cart-drawer .drawer__footer [data-rebound-form]");
    await expect.poll(() => form.count()).toBe(1);
    await form.getByLabel("WhatsApp number").fill("+62 812 3456 7890");
    await form.getByRole("checkbox").check();
    await form.getByRole("button").click();
    await expect.poll(() => form.getByRole("status").textContent()).toContain("Check WhatsApp: if this number needs to confirm");
    await shot(tab, "cart-drawer-submitted");
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop, phone: "+6281234567890" } } });
    const event = await prisma.consentEvent.findFirstOrThrow({ where: { shop, subscriberId: subscriber.id } });
    expect(event.source).toBe("cart_embed");
    expect((event.context as Record<string, unknown>).cartToken).toBe("c1-drawer-cart");
    await tab.close();
  });

  it("speaks the shopper's language, including the server's error codes", async () => {
    const tab = await openStore();
    await tab.goto(`${origin}/es/products/linen-tee`);
    await tab.getByLabel("Número de WhatsApp").fill("123");
    await tab.getByRole("checkbox").check();
    await tab.getByRole("button", { name: "Avísame por WhatsApp" }).click();
    await expect.poll(() => tab.getByRole("status").textContent()).toContain("Ese número no parece correcto");
    await shot(tab, "product-spanish-error");
    await tab.close();
  });
});
