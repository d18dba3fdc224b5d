import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { customerConsentOperations } from "./admin-customers";

/**
 * A local Shopify Admin GraphQL API for tests and the sandbox. The app reaches it through
 * SHOPIFY_ADMIN_API_ORIGIN (app/shopify.server.ts rewrites https://<shop>/admin/... to
 * <origin>/<shop>/admin/...). Like Shopify it demands the shop's access token in
 * X-Shopify-Access-Token (401 otherwise), answers POST /admin/api/<version>/graphql.json with
 * `{ data, extensions.cost }`, and answers an operation it does not know with a GraphQL error
 * (HTTP 200, `errors[]`), as Shopify does for a field that does not exist.
 * https://shopify.dev/docs/api/admin-graphql#endpoints
 * https://shopify.dev/docs/api/usage/response-codes
 *
 * Other operations: `admin.addOperation("OperationName", (ctx) => data)`; the operation name is
 * the one in the query text (`query ReboundShop { ... }`) or the request's `operationName`.
 */
export interface FakeShop {
  domain: string;
  accessToken: string;
  name: string;
  email: string | null;
  currencyCode: string;
  ianaTimezone: string;
  countryCode: string | null;
  locales: Array<{ locale: string; primary: boolean }>;
}

export interface FakeVariant {
  id: string;
  title: string;
  sku: string | null;
  price: string;
  inventoryItemId: string;
}

export interface FakeProduct {
  id: string;
  title: string;
  handle: string;
  featuredImageUrl: string | null;
  variants: FakeVariant[];
}

export interface FakeCollection {
  id: string;
  title: string;
  handle: string;
  /** Member products in the collection's own (merchant-set) order */
  productIds: string[];
}

/** The data the fake answers from; tests and the sandbox seed it. */
export class FakeAdminStore {
  readonly shops = new Map<string, FakeShop>();
  readonly products = new Map<string, Map<string, FakeProduct>>();
  readonly collections = new Map<string, Map<string, FakeCollection>>();

  seedCollection(shop: string, collection: FakeCollection): FakeCollection {
    if (!this.shops.has(shop)) throw new Error(`seed the shop ${shop} before its collections`);
    const all = this.collections.get(shop) ?? new Map<string, FakeCollection>();
    all.set(collection.id, collection);
    this.collections.set(shop, all);
    return collection;
  }

  seedShop(shop: Partial<FakeShop> & Pick<FakeShop, "domain" | "accessToken">): FakeShop {
    const full: FakeShop = {
      name: shop.domain.split(".")[0],
      email: `owner@${shop.domain}`,
      currencyCode: "USD",
      ianaTimezone: "America/New_York",
      countryCode: "US",
      locales: [{ locale: "en", primary: true }],
      ...shop,
    };
    this.shops.set(full.domain, full);
    return full;
  }

  seedProduct(shop: string, product: FakeProduct): FakeProduct {
    if (!this.shops.has(shop)) throw new Error(`seed the shop ${shop} before its products`);
    const catalogue = this.products.get(shop) ?? new Map<string, FakeProduct>();
    catalogue.set(product.id, product);
    this.products.set(shop, catalogue);
    return product;
  }

  findInventoryItem(shop: string, inventoryItemId: string) {
    for (const product of this.products.get(shop)?.values() ?? []) {
      const variant = product.variants.find((v) => v.inventoryItemId === inventoryItemId);
      if (variant) return { product, variant };
    }
    return null;
  }
}

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

export interface RecordedAdminRequest {
  shop: string;
  apiVersion: string;
  operationName: string | null;
  variables: Record<string, unknown>;
  status: number;
}

export interface FakeShopifyAdmin {
  origin: string;
  store: FakeAdminStore;
  requests: RecordedAdminRequest[];
  addOperation(name: string, handler: OperationHandler): void;
  close(): Promise<void>;
}

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

const operationNameOf = (query: string, given: unknown): string | null => {
  if (typeof given === "string" && given) return given;
  return /\b(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(query)?.[1] ?? null;
};

const cost = (maximum = 2000) => ({
  cost: {
    requestedQueryCost: 2,
    actualQueryCost: 2,
    throttleStatus: { maximumAvailable: maximum, currentlyAvailable: maximum - 2, restoreRate: 100 },
  },
});

export async function startFakeShopifyAdmin(options: { store?: FakeAdminStore; port?: number } = {}): Promise<FakeShopifyAdmin> {
  const store = options.store ?? new FakeAdminStore();
  const operations = new Map(Object.entries({ ...defaultOperations, ...customerConsentOperations }));
  const requests: RecordedAdminRequest[] = [];
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(body));
      };
      const match = /^\/([a-z0-9][a-z0-9-]*\.myshopify\.com)\/admin\/api\/([0-9]{4}-[0-9]{2}|unstable)\/graphql\.json$/.exec(
        (req.url ?? "").split("?")[0],
      );
      if (!match) return send(404, { errors: "Not Found" });
      const [, domain, apiVersion] = match;
      const record = (status: number, operationName: string | null, variables: Record<string, unknown>) =>
        requests.push({ shop: domain, apiVersion, operationName, variables, status });

      const shop = store.shops.get(domain);
      if (!shop) {
        record(404, null, {});
        return send(404, { errors: "Not Found" });
      }
      if (req.headers["x-shopify-access-token"] !== shop.accessToken) {
        record(401, null, {});
        return send(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
      }
      if (req.method !== "POST") return send(405, { errors: "Method Not Allowed" });

      let body: { query?: unknown; variables?: unknown; operationName?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        record(400, null, {});
        return send(400, { errors: "Bad Request: the body is not JSON" });
      }
      if (typeof body.query !== "string" || body.query.trim() === "") {
        record(400, null, {});
        return send(400, { errors: { query: "Required parameter missing or invalid" } });
      }
      const variables = (body.variables && typeof body.variables === "object" ? body.variables : {}) as Record<string, unknown>;
      const operationName = operationNameOf(body.query, body.operationName);
      record(200, operationName, variables);

      const handler = operationName ? operations.get(operationName) : undefined;
      if (!handler) {
        return send(200, {
          errors: [
            {
              message: `Operation '${operationName ?? "(anonymous)"}' is not answered by the fake Admin API`,
              locations: [{ line: 1, column: 1 }],
              extensions: { code: "undefinedField" },
            },
          ],
        });
      }
      try {
        return send(200, { data: handler({ shop, store, variables, query: body.query }), extensions: cost() });
      } catch (error) {
        if (error instanceof FakeGraphQLError) {
          return send(200, { errors: [{ message: error.message, extensions: { code: error.code } }] });
        }
        return send(500, { errors: "Internal Server Error" });
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    store,
    requests,
    addOperation(name, handler) {
      operations.set(name, handler);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
