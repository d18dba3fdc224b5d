import type { FakeAdminStore, FakeShop } from "./admin-store";

/** The fake Admin API's resolvers: each answers one operation by name, after ./admin.ts checked it. */
export class FakeGraphQLError extends Error {
  constructor(
    message: string,
    public readonly code: string,
  ) {
    super(message);
  }
}

export interface OperationContext {
  shop: FakeShop;
  store: FakeAdminStore;
  variables: Record<string, unknown>;
  query: string;
}

/** Returns the `data` object of the answer, or throws FakeGraphQLError. */
export type OperationHandler = (context: OperationContext) => unknown;

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/;

function parseGid(value: unknown, type: string): string {
  const match = typeof value === "string" ? GID.exec(value) : null;
  if (!match || match[1] !== type) throw new FakeGraphQLError(`Invalid global id '${String(value)}'`, "argumentLiteralsIncompatible");
  return match[2];
}

/**
 * A connection field's arguments as the query states them, literals or `$variables`, e.g.
 * `products(first: $first, sortKey: COLLECTION_DEFAULT)`. Shopify refuses a connection without
 * `first` or `last`, and more than 250 nodes a page.
 * https://shopify.dev/docs/api/usage/pagination-graphql
 */
function connectionArgs(query: string, field: string, variables: Record<string, unknown>) {
  const list = new RegExp(`\\b${field}\\s*\\(([^)]*)\\)`).exec(query)?.[1] ?? "";
  const args: Record<string, unknown> = {};
  for (const [, name, raw] of list.matchAll(/(\w+)\s*:\s*(\$?\w+|"[^"]*")/g)) {
    args[name] = raw.startsWith("$") ? variables[raw.slice(1)] : /^\d+$/.test(raw) ? Number(raw) : raw.replace(/^"|"$/g, "");
  }
  const first = args.first;
  if (first === undefined && args.last === undefined) {
    throw new FakeGraphQLError("you must provide one of first or last", "argumentLiteralsIncompatible");
  }
  if (typeof first !== "number" || !Number.isInteger(first) || first < 0) {
    throw new FakeGraphQLError(`Argument 'first' on Field '${field}' has an invalid value (${String(first)}). Expected type 'Int'.`, "argumentLiteralsIncompatible");
  }
  if (first > 250) throw new FakeGraphQLError(`Field '${field}' cannot return more than 250 records`, "MAX_COST_EXCEEDED");
  return { first, sortKey: typeof args.sortKey === "string" ? args.sortKey : undefined, reverse: args.reverse === "true" || args.reverse === true };
}

const COLLECTION_SORT_KEYS = ["ID", "RELEVANCE", "TITLE", "UPDATED_AT"];
const PRODUCT_COLLECTION_SORT_KEYS = ["BEST_SELLING", "COLLECTION_DEFAULT", "CREATED", "ID", "MANUAL", "PRICE", "RELEVANCE", "TITLE"];

function checkSortKey(sortKey: string | undefined, allowed: string[], enumName: string) {
  if (sortKey !== undefined && !allowed.includes(sortKey)) {
    throw new FakeGraphQLError(`Argument 'sortKey' has an invalid value (${sortKey}). Expected type '${enumName}'.`, "argumentLiteralsIncompatible");
  }
}

const numericOrder = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/**
 * The operations the app makes today: app/shops/shop.server.ts, app/catalog/inventory-item.server.ts
 * and app/catalog/collections.server.ts.
 */
export const defaultOperations: Record<string, OperationHandler> = {
  ReboundShop: ({ shop }) => ({
    shop: {
      name: shop.name,
      email: shop.email,
      currencyCode: shop.currencyCode,
      ianaTimezone: shop.ianaTimezone,
      billingAddress: { countryCodeV2: shop.countryCode },
    },
    shopLocales: shop.locales,
  }),
  ReboundInventoryItem: ({ shop, store, variables }) => {
    const inventoryItemId = parseGid(variables.id, "InventoryItem");
    const found = store.findInventoryItem(shop.domain, inventoryItemId);
    if (!found) return { inventoryItem: null };
    const { product, variant } = found;
    return {
      inventoryItem: {
        variant: {
          id: `gid://shopify/ProductVariant/${variant.id}`,
          price: variant.price,
          sku: variant.sku,
          title: variant.title,
          product: {
            id: `gid://shopify/Product/${product.id}`,
            title: product.title,
            handle: product.handle,
            featuredImage: product.featuredImageUrl ? { url: product.featuredImageUrl } : null,
          },
        },
      },
    };
  },
  ReboundCollections: ({ shop, store, variables, query }) => {
    const { first, sortKey, reverse } = connectionArgs(query, "collections", variables);
    checkSortKey(sortKey, COLLECTION_SORT_KEYS, "CollectionSortKeys");
    const all = [...(store.collections.get(shop.domain)?.values() ?? [])];
    all.sort((a, b) => (sortKey === "TITLE" ? a.title.localeCompare(b.title) || numericOrder(a.id, b.id) : numericOrder(a.id, b.id)));
    if (reverse) all.reverse();
    return { collections: { nodes: all.slice(0, first).map((c) => ({ id: `gid://shopify/Collection/${c.id}`, title: c.title })) } };
  },
  // A collection that does not exist (or was deleted) is null, not an error.
  ReboundCollectionProducts: ({ shop, store, variables, query }) => {
    const id = parseGid(variables.id, "Collection");
    const { first, sortKey, reverse } = connectionArgs(query, "products", variables);
    checkSortKey(sortKey, PRODUCT_COLLECTION_SORT_KEYS, "ProductCollectionSortKeys");
    if (sortKey && !["COLLECTION_DEFAULT", "MANUAL", "ID", "TITLE"].includes(sortKey)) {
      throw new FakeGraphQLError(`The fake Admin API does not sort collection products by ${sortKey}`, "undefinedField");
    }
    const collection = store.collections.get(shop.domain)?.get(id);
    if (!collection) return { collection: null };
    const catalogue = store.products.get(shop.domain);
    const ids = [...collection.productIds];
    if (sortKey === "ID") ids.sort(numericOrder);
    if (sortKey === "TITLE") ids.sort((a, b) => (catalogue?.get(a)?.title ?? "").localeCompare(catalogue?.get(b)?.title ?? ""));
    if (reverse) ids.reverse();
    // Only the fields the app selects (app/catalog/collections.server.ts), as GraphQL answers.
    const nodes = ids.slice(0, first).map((productId) => ({ id: `gid://shopify/Product/${productId}` }));
    return { collection: { id: `gid://shopify/Collection/${collection.id}`, products: { nodes } } };
  },
  // app/flows/discounts.server.ts. Shopify requires code, title, startsAt, customerGets and a
  // buyer context, and answers a reused code with a userError (TAKEN) rather than an HTTP error.
  ReboundDiscountCodeCreate: ({ shop, variables }) => {
    const input = (variables.basicCodeDiscount ?? {}) as Record<string, unknown>;
    const missing = ["code", "title", "startsAt", "customerGets"].filter((f) => input[f] == null);
    if (input.context == null && input.customerSelection == null) missing.push("context");
    if (missing.length > 0) {
      return { discountCodeBasicCreate: { codeDiscountNode: null, userErrors: missing.map((f) => ({ field: ["basicCodeDiscount", f], message: `${f} is required`, code: "BLANK" })) } };
    }
    const codes = discountCodes.get(shop.domain) ?? new Map<string, Record<string, unknown>>();
    discountCodes.set(shop.domain, codes);
    const code = String(input.code).toUpperCase();
    if (codes.has(code)) {
      return { discountCodeBasicCreate: { codeDiscountNode: null, userErrors: [{ field: ["basicCodeDiscount", "code"], message: "Code must be unique.", code: "TAKEN" }] } };
    }
    codes.set(code, input);
    return { discountCodeBasicCreate: { codeDiscountNode: { id: `gid://shopify/DiscountCodeNode/${codes.size}` }, userErrors: [] } };
  },
};

/** Codes the fake has created, per shop: tests read what the app asked for. */
export const discountCodes = new Map<string, Map<string, Record<string, unknown>>>();
