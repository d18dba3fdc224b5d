import { readAppConfig } from "./app-config";

/** What the fake Admin API knows about each shop; tests and the sandbox seed it (see ./admin.ts). */
export interface FakeShop {
  domain: string;
  accessToken: string;
  name: string;
  email: string | null;
  currencyCode: string;
  ianaTimezone: string;
  countryCode: string | null;
  locales: Array<{ locale: string; primary: boolean }>;
  /** What the installation granted; a token exchange sets it to the store's appScopes. */
  scopes: string[];
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

export class FakeAdminStore {
  readonly shops = new Map<string, FakeShop>();
  /** The scopes the app's configuration asks for: what an installation grants. */
  appScopes: string[];
  /** Access tokens issued by token exchange -> shop domain */
  readonly issuedTokens = new Map<string, string>();

  constructor(options: { appScopes?: string[] } = {}) {
    this.appScopes = options.appScopes ?? readAppConfig().scopes;
  }
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
      scopes: [...this.appScopes],
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
