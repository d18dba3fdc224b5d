import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOP_QUERY } from "../../../app/shops/shop-details.server";
import { FakeAdminStore, startFakeShopifyAdmin, type FakeShopifyAdmin } from "../../fakes/shopify/admin";
import { signSessionToken } from "../../fakes/shopify/session-token";

/**
 * The fake Admin API holds requests to Shopify's contract: Shopify's published schema decides
 * what is valid, and the installation's granted scopes what it may read.
 */
const SHOP = "contract.myshopify.com";
const TOKEN = "shpat_contract";
const APP = { apiKey: "contract-key", secret: "contract-secret" };
/** What Rebound asked for before it asked for read_locales. */
const OLD_SCOPES = ["read_products", "read_inventory", "read_orders", "read_customers", "read_discounts", "write_discounts"];

let admin: FakeShopifyAdmin;

beforeAll(async () => {
  admin = await startFakeShopifyAdmin({ app: APP });
  admin.store.seedShop({ domain: SHOP, accessToken: TOKEN, locales: [{ locale: "pt-BR", primary: true }] });
});
afterAll(() => admin.close());

const graphql = (body: unknown, token = TOKEN, version = "2026-10") =>
  fetch(`${admin.origin}/${SHOP}/admin/api/${version}/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify(body),
  });

describe("the fake Admin API checks operations against Shopify's schema", () => {
  it("answers a syntax error with errors[] and no data, HTTP 200", async () => {
    const response = await graphql({ query: "query ReboundShop { shop { name }" });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.data).toBeUndefined();
    expect(body.errors[0]).toMatchObject({ locations: [{ line: 1, column: expect.any(Number) }] });
    expect(body.errors[0].message).toMatch(/Syntax Error/);
  });

  it("answers a field that does not exist as Shopify does (undefinedField), before any resolver runs", async () => {
    const before = admin.requests.length;
    const body = await (await graphql({ query: "query ReboundShop { shop { name shopLocale } }" })).json();
    expect(body.errors).toEqual([
      {
        message: "Field 'shopLocale' doesn't exist on type 'Shop'",
        locations: [{ line: 1, column: 33 }],
        extensions: { code: "undefinedField", typeName: "Shop", fieldName: "shopLocale" },
      },
    ]);
    expect(admin.requests.slice(before)).toMatchObject([{ operationName: "ReboundShop", errorCodes: ["undefinedField"] }]);
  });

  it("refuses a variable of the wrong type", async () => {
    const body = await (await graphql({ query: "query ReboundInventoryItem($id: ID!) { inventoryItem(id: $id) { id } }", variables: {} })).json();
    expect(body.errors[0]).toMatchObject({ extensions: { code: "INVALID_VARIABLE" } });
  });

  it("serves only API versions whose schema Shopify published", async () => {
    expect((await graphql({ query: SHOP_QUERY }, TOKEN, "2019-01")).status).toBe(404);
  });

  it("answers the app's shop query with the shop's primary locale when read_locales is granted", async () => {
    const body = await (await graphql({ query: SHOP_QUERY })).json();
    expect(body.errors).toBeUndefined();
    expect(body.data.shopLocales).toEqual([{ locale: "pt-BR", primary: true }]);
  });
});

describe("the fake Admin API refuses fields outside the granted scopes", () => {
  it("answers shopLocales without read_locales with Shopify's ACCESS_DENIED error", async () => {
    const store = new FakeAdminStore({ appScopes: OLD_SCOPES });
    const old = await startFakeShopifyAdmin({ store });
    try {
      store.seedShop({ domain: SHOP, accessToken: TOKEN });
      const response = await fetch(`${old.origin}/${SHOP}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN },
        body: JSON.stringify({ query: SHOP_QUERY }),
      });
      expect(response.status).toBe(200);
      const body = await response.json();
      const requiredAccess = "`read_locales` access scope or `read_markets_home` access scope.";
      expect(body.errors).toEqual([
        {
          message: `Access denied for shopLocales field. Required access: ${requiredAccess}`,
          locations: [{ line: expect.any(Number), column: 5 }],
          path: ["shopLocales"],
          extensions: { code: "ACCESS_DENIED", documentation: "https://shopify.dev/api/usage/access-scopes", requiredAccess },
        },
      ]);
      // shopLocales is [ShopLocale!]!: its null reaches the root, as GraphQL's null propagation says.
      expect(body.data).toBeNull();
    } finally {
      await old.close();
    }
  });

  it("nulls only a denied nullable field and keeps the rest", async () => {
    admin.addOperation("ShopAndItem", () => ({ shop: { name: "contract" }, inventoryItem: { id: "gid://shopify/InventoryItem/1" } }));
    const store = admin.store.shops.get(SHOP)!;
    const granted = store.scopes;
    store.scopes = ["read_orders"];
    try {
      const body = await (await graphql({ query: 'query ShopAndItem { shop { name } inventoryItem(id: "gid://shopify/InventoryItem/1") { id } }' })).json();
      expect(body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(["ACCESS_DENIED"]);
      expect(body.errors[0]).toMatchObject({ path: ["inventoryItem"], extensions: { requiredAccess: "`read_inventory` access scope or `read_products` access scope." } });
      expect(body.data).toEqual({ shop: { name: "contract" }, inventoryItem: null });
    } finally {
      store.scopes = granted;
    }
  });

  it("counts write_discounts as read_discounts (the created code node needs read_discounts)", async () => {
    const store = admin.store.shops.get(SHOP)!;
    const granted = store.scopes;
    store.scopes = ["write_discounts"];
    try {
      const body = await (
        await graphql({
          query: "mutation ReboundDiscountCodeCreate($basicCodeDiscount: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) { codeDiscountNode { id } userErrors { message } } }",
          variables: { basicCodeDiscount: { code: "X1", title: "X1", startsAt: "2026-12-01T00:00:00Z", customerGets: { value: { percentage: 0.1 }, items: { all: true } }, context: { all: "ALL" } } },
        })
      ).json();
      expect(body.errors).toBeUndefined();
      expect(body.data.discountCodeBasicCreate.userErrors).toEqual([]);
      expect(body.data.discountCodeBasicCreate.codeDiscountNode.id).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\//);
    } finally {
      store.scopes = granted;
    }
  });
});

describe("the fake's token exchange", () => {
  const exchange = (fields: Record<string, string>) =>
    fetch(`${admin.origin}/${SHOP}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        client_id: APP.apiKey,
        client_secret: APP.secret,
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
        expiring: "1",
        ...fields,
      }),
    });

  it("grants the app's configured scopes and an expiring offline token that the Admin API accepts", async () => {
    const response = await exchange({ subject_token: signSessionToken({ shop: SHOP, ...APP }) });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ access_token: expect.stringMatching(/^shpat_/), expires_in: 3600, refresh_token: expect.any(String) });
    expect(body.scope.split(",").sort()).toEqual([...admin.store.appScopes].sort());
    expect(body.scope.split(",")).toContain("read_locales");
    const answer = await (await graphql({ query: SHOP_QUERY }, body.access_token)).json();
    expect(answer.data.shop.name).toBe("contract");
  });

  it("refuses a session token signed with another secret, or for another shop", async () => {
    const forged = await exchange({ subject_token: signSessionToken({ shop: SHOP, apiKey: APP.apiKey, secret: "wrong" }) });
    expect(forged.status).toBe(400);
    expect((await forged.json()).error).toBe("invalid_subject_token");
    const elsewhere = await exchange({ subject_token: signSessionToken({ shop: "other.myshopify.com", ...APP }) });
    expect((await elsewhere.json()).error).toBe("invalid_subject_token");
    const badClient = await exchange({ client_secret: "nope", subject_token: signSessionToken({ shop: SHOP, ...APP }) });
    expect(badClient.status).toBe(401);
  });
});
