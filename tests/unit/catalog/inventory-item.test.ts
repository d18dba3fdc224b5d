import type { PrismaClient } from "@prisma/client";
import type { AdminApiContext } from "@shopify/shopify-app-remix/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeShopifyAdmin, type FakeShopifyAdmin } from "../../fakes/shopify/admin";
import { useTestDatabase } from "../../support/database";
import { resolveInventoryItem } from "../../../app/catalog/inventory-item.server";

const database = useTestDatabase();

let prisma: PrismaClient;
let admin: FakeShopifyAdmin;

const shop = "resolver.myshopify.com";
const TOKEN = "shpat_resolver";

/** The Admin client the app gets from the library, reduced to what it sends over the wire. */
const adminClient = (token: string) =>
  ({
    graphql: (query: string, options?: { variables?: Record<string, unknown> }) =>
      fetch(`${admin.origin}/${shop}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
        body: JSON.stringify({ query, variables: options?.variables ?? {} }),
      }),
  }) as unknown as Pick<AdminApiContext, "graphql">;

beforeAll(async () => {
  prisma = database.prisma;
  admin = await startFakeShopifyAdmin();
  admin.store.seedShop({ domain: shop, accessToken: TOKEN });
  admin.store.seedProduct(shop, {
    id: "900",
    title: "Milk Frother",
    handle: "milk-frother",
    featuredImageUrl: null,
    variants: [
      { id: "901", title: "Black", sku: "MF-B", price: "29.90", inventoryItemId: "9901" },
      { id: "902", title: "White", sku: "MF-W", price: "29.90", inventoryItemId: "9902" },
    ],
  });
}, 60_000);
afterAll(async () => {
  await admin?.close();
});

describe("resolveInventoryItem", () => {
  it("creates the variant and product from the Admin API, sums the waiting levels and announces the restock", async () => {
    const updated = new Date("2026-11-20T10:00:00Z");
    await prisma.inventoryLevel.createMany({
      data: [
        { shop, inventoryItemId: "9902", locationId: "1", available: 2, shopifyUpdatedAt: updated },
        { shop, inventoryItemId: "9902", locationId: "2", available: 3, shopifyUpdatedAt: updated },
      ],
    });
    expect(await resolveInventoryItem(shop, { inventoryItemId: "9902", eventId: "evt-1" }, adminClient(TOKEN))).toBe("resolved");
    const variant = await prisma.variant.findUniqueOrThrow({ where: { shop_id: { shop, id: "902" } } });
    expect(variant).toMatchObject({ productId: "900", inventoryItemId: "9902", available: 5, sku: "MF-W" });
    expect(variant.price.toString()).toBe("29.9");
    expect(await prisma.product.findUnique({ where: { shop_id: { shop, id: "900" } } })).toMatchObject({ title: "Milk Frother", imageUrl: null });
    const events = await prisma.task.findMany({ where: { shop, kind: "flows.variant_restocked" } });
    expect(events.map((e) => [e.payload, e.dedupKey])).toEqual([
      [{ variantId: "902", available: 5, restockId: "evt-1" }, "evt-1:flows.variant_restocked:902"],
    ]);
  });

  it("answers not_found for an item Shopify does not know, and writes nothing", async () => {
    expect(await resolveInventoryItem(shop, { inventoryItemId: "123456", eventId: "evt-2" }, adminClient(TOKEN))).toBe("not_found");
    expect(await prisma.variant.count({ where: { shop, inventoryItemId: "123456" } })).toBe(0);
  });

  it("fails (so the task retries) when the token is refused", async () => {
    await expect(resolveInventoryItem(shop, { inventoryItemId: "9901", eventId: "evt-3" }, adminClient("shpat_wrong"))).rejects.toThrow();
    expect(await prisma.variant.count({ where: { shop, id: "901" } })).toBe(0);
  });
});

describe("the fake Admin API", () => {
  const post = (body: unknown, token = TOKEN, target = shop) =>
    fetch(`${admin.origin}/${target}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
      body: JSON.stringify(body),
    });

  it("demands the shop's access token", async () => {
    const response = await post({ query: "query ReboundShop { shop { name } }" }, "nope");
    expect(response.status).toBe(401);
    expect((await response.json()).errors).toContain("Invalid API key or access token");
  });

  it("answers the shop query like Shopify, with query cost", async () => {
    const body = await (await post({ query: "query ReboundShop { shop { name } }" })).json();
    expect(body.data.shop).toMatchObject({ name: "resolver", currencyCode: "USD", billingAddress: { countryCodeV2: "US" } });
    expect(body.extensions.cost.throttleStatus.maximumAvailable).toBe(2000);
  });

  it("refuses an operation it does not know with a GraphQL error, and bad ids like Shopify", async () => {
    const unknown = await post({ query: "query Orders { orders(first: 5) { nodes { id } } }" });
    expect(unknown.status).toBe(200);
    expect((await unknown.json()).errors[0]).toMatchObject({ extensions: { code: "undefinedField" } });
    const badId = await (await post({ query: "query ReboundInventoryItem($id: ID!) { inventoryItem(id: $id) { id } }", variables: { id: "42" } })).json();
    expect(badId.errors[0].message).toContain("Invalid global id");
  });

  it("lets tests add operations by name", async () => {
    // locations needs read_locations, which Rebound does not ask for: this installation has it.
    admin.store.shops.get(shop)!.scopes.push("read_locations");
    admin.addOperation("Locations", () => ({ locations: { nodes: [{ id: "gid://shopify/Location/1", name: "Madrid" }] } }));
    const body = await (await post({ query: "query Locations { locations(first: 10) { nodes { id name } } }" })).json();
    expect(body.data.locations.nodes[0].name).toBe("Madrid");
  });
});
