import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectionProductIds, listCollections, type AdminGraphql } from "../../../app/catalog/collections.server";
import { startFakeShopifyAdmin, type FakeShopifyAdmin } from "../../fakes/shopify/admin";

const shop = "collections.myshopify.com";
const TOKEN = "shpat_collections";
let admin: FakeShopifyAdmin;

const post = (body: unknown, token = TOKEN) =>
  fetch(`${admin.origin}/${shop}/admin/api/2026-10/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify(body),
  });
const client = (token = TOKEN): AdminGraphql => ({ graphql: (query, options) => post({ query, variables: options?.variables ?? {} }, token) });

beforeAll(async () => {
  admin = await startFakeShopifyAdmin();
  admin.store.seedShop({ domain: shop, accessToken: TOKEN });
  admin.store.seedCollection(shop, { id: "30", title: "Tea", handle: "tea", productIds: ["9", "3", "7"] });
  admin.store.seedCollection(shop, { id: "20", title: "Coffee", handle: "coffee", productIds: [] });
});
afterAll(() => admin?.close());

describe("collections from the Admin API", () => {
  it("lists the shop's collections by title with numeric ids", async () => {
    expect(await listCollections(client())).toEqual([{ id: "20", title: "Coffee" }, { id: "30", title: "Tea" }]);
  });

  it("reads a collection's products in its own order, and none for a collection that is gone", async () => {
    expect(await collectionProductIds(client(), "30")).toEqual(["9", "3", "7"]);
    expect(await collectionProductIds(client(), "404")).toEqual([]);
    const [request] = admin.requests.filter((r) => r.operationName === "ReboundCollectionProducts");
    expect(request.variables).toEqual({ id: "gid://shopify/Collection/30", first: 50 });
  });

  it("fails, so the task retries, when the token is refused", async () => {
    await expect(collectionProductIds(client("shpat_wrong"), "30")).rejects.toThrow();
  });
});

describe("the fake refuses what Shopify refuses", () => {
  const errorOf = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await post({ query, variables });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> };
    expect(body.data).toBeUndefined();
    return body.errors?.[0]?.message ?? "";
  };

  it("a connection without first or last, or over 250 nodes", async () => {
    expect(await errorOf("query ReboundCollections { collections(sortKey: TITLE) { nodes { id } } }")).toMatch(/first or last/);
    expect(await errorOf("query ReboundCollections($first: Int!) { collections(first: $first) { nodes { id } } }", { first: 251 })).toMatch(/250/);
  });

  it("a global id of another type, and a sort key of another enum", async () => {
    const products = "query ReboundCollectionProducts($id: ID!) { collection(id: $id) { products(first: 5, sortKey: COLLECTION_DEFAULT) { nodes { id } } } }";
    expect(await errorOf(products, { id: "gid://shopify/Product/30" })).toMatch(/Invalid global id/);
    const badSort = "query ReboundCollectionProducts($id: ID!) { collection(id: $id) { products(first: 5, sortKey: UPDATED_AT) { nodes { id } } } }";
    expect(await errorOf(badSort, { id: "gid://shopify/Collection/30" })).toMatch(/ProductCollectionSortKeys/);
    expect(await errorOf("query ReboundCollections { collections(first: 5, sortKey: COLLECTION_DEFAULT) { nodes { id } } }")).toMatch(/CollectionSortKeys/);
  });
});
