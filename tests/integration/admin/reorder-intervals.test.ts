import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedQuery, signSessionToken } from "../../fakes/shopify/session-token";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import prisma from "../../../app/db.server";

/**
 * Setting a product's reorder interval from the reorder flow's page: a valid number of days is
 * stored on the shop's own product, a bad one is a 422 on the field and writes nothing, an
 * empty field clears it, and a product id that is not this shop's changes nothing anywhere.
 */
const SHOP = "intervals-a.myshopify.com";
const OTHER = "intervals-b.myshopify.com";
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

let server: TestServer;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;

const token = () => signSessionToken({ shop: SHOP, apiKey: server.apiKey, secret: server.secret });

function save(productId: string, replenishmentDays: string) {
  return fetch(`${server.url}/app/flows/reorder`, {
    method: "POST",
    headers: { authorization: `Bearer ${token()}`, "user-agent": CHROME_UA, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ intent: "reorder-interval", productId, replenishmentDays }),
    redirect: "manual",
  });
}

const days = async (shop: string, id: string) =>
  (await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop, id } } })).replenishmentDays;

beforeAll(async () => {
  snapshot = snapshotBuild();
  server = await startTestServer({}, { root: snapshot.root });
  const at = new Date("2026-06-01T00:00:00Z");
  for (const shop of [SHOP, OTHER]) {
    await prisma.shop.create({ data: { shop, settings: { create: {} } } });
    await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", isOnline: false } });
  }
  // Both shops sell a product with id "beans"; only the other shop has "tea".
  await prisma.product.createMany({
    data: [
      { shop: SHOP, id: "beans", title: "Alpha Beans", shopifyUpdatedAt: at },
      { shop: SHOP, id: "mugs", title: "Alpha Mug", shopifyUpdatedAt: at },
      { shop: OTHER, id: "beans", title: "Other Beans", replenishmentDays: 14, shopifyUpdatedAt: at },
      { shop: OTHER, id: "tea", title: "Other Tea", replenishmentDays: 20, shopifyUpdatedAt: at },
    ],
  });
  const orders: Array<[string, string, string[]]> = [
    [SHOP, "a1", ["beans", "mugs"]], [SHOP, "a2", ["beans"]], [OTHER, "b1", ["beans", "tea"]],
  ];
  for (const [shop, id, products] of orders) {
    await prisma.order.create({
      data: {
        shop, id, customerId: "c1", placedAt: at, shopifyUpdatedAt: at, totalPrice: 10,
        lineItems: { create: products.map((p) => ({ id: `${shop}-${id}-${p}`, productId: p, variantId: `v-${p}`, title: p, quantity: 1, price: 10 })) },
      },
    });
  }
});

afterAll(async () => {
  await server?.stop();
  snapshot?.remove();
});

describe("reorder intervals", () => {
  it("lists the shop's ordered products, most ordered first, with the interval in use", async () => {
    const response = await fetch(`${server.url}/app/flows/reorder?${embeddedQuery(SHOP, token())}`, { headers: { "user-agent": CHROME_UA } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Reorder intervals");
    expect(html.indexOf("Alpha Beans")).toBeGreaterThan(-1);
    expect(html.indexOf("Alpha Beans")).toBeLessThan(html.indexOf("Alpha Mug"));
    expect(html).toContain("30 days · Default");
    expect(html).not.toContain("Other ");
  });

  it("stores the days on this shop's product only", async () => {
    const response = await save("beans", "21");
    expect(response.status).toBe(200);
    await response.text();
    expect(await days(SHOP, "beans")).toBe(21);
    expect(await days(OTHER, "beans")).toBe(14);
    const page = await (await fetch(`${server.url}/app/flows/reorder?${embeddedQuery(SHOP, token())}`, { headers: { "user-agent": CHROME_UA } })).text();
    expect(page).toContain("21 days · Set by you");
  });

  it("answers 422 on the field for a value out of range or not a whole number, and writes nothing", async () => {
    for (const [value, message] of [["400", "Use 1 to 365 days"], ["0", "Use 1 to 365 days"], ["2.5", "Enter whole days"], ["soon", "Enter a number of days"]]) {
      const response = await save("beans", value);
      expect(response.status, value).toBe(422);
      const html = await response.text();
      expect(html, value).toContain(message);
      expect(html, value).toMatch(/Polaris-InlineError/);
    }
    expect(await days(SHOP, "beans")).toBe(21);
  });

  it("clears the interval when the field is empty", async () => {
    const response = await save("beans", "");
    expect(response.status).toBe(200);
    await response.text();
    expect(await days(SHOP, "beans")).toBeNull();
    expect(await days(OTHER, "beans")).toBe(14);
  });

  it("changes nothing for another shop's product id", async () => {
    const before = await prisma.product.findMany({ where: { shop: OTHER }, orderBy: { id: "asc" } });
    const response = await save("tea", "7");
    expect(response.status).toBe(404);
    await response.text();
    expect(await prisma.product.findMany({ where: { shop: OTHER }, orderBy: { id: "asc" } })).toEqual(before);
    expect(await prisma.product.count({ where: { shop: SHOP, id: "tea" } })).toBe(0);
  });
});
