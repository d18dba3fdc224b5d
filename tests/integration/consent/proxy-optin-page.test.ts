import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxyFetch } from "../../fakes/shopify/app-proxy";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import prisma from "../../../app/db.server";

/**
 * The opt-in form posted by a browser without JavaScript: url-encoded fields through the signed
 * app proxy, answered with a Liquid page for the shop's theme in the shopper's language.
 */
let server: TestServer;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;
const shop = "plain-form.myshopify.com";
const TEXT = "Yes, Plain Form Store may send me cart reminders and offers on WhatsApp. Reply STOP at any time to opt out.";
const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

function fields(extra: Record<string, string | null> = {}) {
  const all: Record<string, string | null> = {
    country: "ES",
    phone: "612 000 111",
    consent: "on",
    source: "cart_block",
    locale: "es",
    consentText: TEXT,
    textVersion: "v0123456789ab",
    returnTo: "/cart",
    cartToken: "c1-plain-cart",
    website: "",
    ...extra,
  };
  return new URLSearchParams(Object.entries(all).filter((e): e is [string, string] => e[1] !== null));
}

const post = (body: URLSearchParams, forwardedFor = "203.0.113.50") =>
  proxyFetch(server.url, server.secret, { shop, path: "/optin" }, {
    body: body.toString(),
    contentType: "application/x-www-form-urlencoded",
    accept: BROWSER_ACCEPT,
    forwardedFor,
  });

beforeAll(async () => {
  snapshot = snapshotBuild();
  server = await startTestServer({}, { root: snapshot.root });
  await prisma.shop.create({ data: { shop, name: "Plain Form Store", settings: { create: {} } } });
  await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", isOnline: false } });
});
afterAll(async () => {
  await server?.stop();
  snapshot?.remove();
});

describe("opt-in form posted without JavaScript", () => {
  it("records the opt-in with its proof and answers a Liquid page in the shopper's language", async () => {
    const response = await post(fields());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/liquid");
    const page = await response.text();
    expect(page).toContain("Revisa WhatsApp: si este número tiene que confirmar");
    expect(page).toContain('href="/cart" class="rebound-optin-result__back"');
    const product = await post(fields({ phone: "612 000 112", source: "product_block", variantId: "4001", returnTo: "/products/mug?variant=4001" }), "203.0.113.56");
    expect(await product.text()).toContain('href="/products/mug?variant=4001" class="rebound-optin-result__back"');
    expect(page).toContain("Volver a la tienda");
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop, phone: "+34612000111" } } });
    expect(subscriber).toMatchObject({ status: "pending", locale: "es" });
    const [event] = await prisma.consentEvent.findMany({ where: { shop, subscriberId: subscriber.id } });
    expect(event).toMatchObject({ kind: "opt_in", source: "cart_block", text: TEXT, textVersion: "v0123456789ab" });
  });

  it("an unticked box records nothing and says why, in the shopper's language", async () => {
    const response = await post(fields({ consent: null, phone: "612 000 222" }), "203.0.113.51");
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("Marca la casilla");
    expect(await prisma.subscriber.count({ where: { shop, phone: "+34612000222" } })).toBe(0);
  });

  it("a wrong number is named as such; a missing one asks for it", async () => {
    const invalid = await post(fields({ phone: "12" }), "203.0.113.52");
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toContain("no parece correcto");
    const missing = await post(fields({ phone: "", locale: "de" }), "203.0.113.53");
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain("Bitte gib deine WhatsApp-Nummer ein");
  });

  it("puts nothing the shopper sent into the Liquid page but a plain storefront path", async () => {
    for (const returnTo of ["https://evil.example/x", "//evil.example", "/x{{ customer.email }}", "/a\"onmouseover=1", "/p?variant=1&x=evil"]) {
      const response = await post(fields({ phone: "", returnTo }), "203.0.113.54");
      const page = await response.text();
      expect(page, returnTo).toContain('href="/" class="rebound-optin-result__back"');
      expect(page).not.toContain("evil");
      expect(page).not.toContain("{{");
    }
  });

  it("the script's JSON post still gets JSON", async () => {
    const response = await proxyFetch(server.url, server.secret, { shop, path: "/optin" }, {
      body: JSON.stringify({ ...Object.fromEntries(fields({ phone: "612 000 333", consent: null })), cartToken: undefined }),
      contentType: "application/json",
      accept: "application/json",
      forwardedFor: "203.0.113.55",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });
});
