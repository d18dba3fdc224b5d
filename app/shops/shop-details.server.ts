import type { AdminApiContext } from "@shopify/shopify-app-remix/server";
import { z } from "zod";
import type { SafeDetail } from "../shared/log.server";

/**
 * The shop's own details, read from the Admin API when the app is installed: name, currency,
 * time zone (quiet hours), country and primary locale (template language). shopLocales needs
 * `read_locales` (or `read_markets_home`), which shopify.app.toml asks for; no field reachable
 * without a scope names the primary locale.
 * https://shopify.dev/docs/api/admin-graphql/latest/queries/shop
 * https://shopify.dev/docs/api/admin-graphql/latest/queries/shopLocales
 */
export const SHOP_QUERY = `#graphql
  query ReboundShop {
    shop {
      name
      email
      currencyCode
      ianaTimezone
      billingAddress { countryCodeV2 }
    }
    shopLocales(published: true) { locale primary }
  }`;

const shopAnswer = z.object({
  data: z.object({
    shop: z.object({
      name: z.string(),
      email: z.string().nullable().optional(),
      currencyCode: z.string(),
      ianaTimezone: z.string(),
      billingAddress: z.object({ countryCodeV2: z.string().nullable() }).nullable().optional(),
    }),
    shopLocales: z.array(z.object({ locale: z.string(), primary: z.boolean() })),
  }),
});

export interface ShopDetails {
  name: string;
  email: string | null;
  currency: string;
  timezone: string;
  countryCode: string;
  primaryLocale: string;
}

/** The Admin API did not give the shop's details; `reason` is safe to show the merchant. */
export class ShopDetailsUnavailable extends Error implements SafeDetail {
  /** An HTTP status or Shopify's GraphQL error text about the shop query: no shopper data. */
  readonly safeDetail: string;
  constructor(public readonly reason: string) {
    super(`Shop details unavailable: ${reason}`);
    this.name = "ShopDetailsUnavailable";
    this.safeDetail = this.message;
  }
}

const MAX_REASON = 300;

/**
 * What went wrong, in one line: the first GraphQL error's message (e.g. Shopify's "Access denied
 * for shopLocales field. Required access: ..."), the HTTP status, or the network failure. The
 * library's errors carry Shopify's answer, never the access token.
 */
export function describeAdminFailure(error: unknown): string {
  if (error instanceof ShopDetailsUnavailable) return error.reason;
  if (error instanceof Response) return `Shopify answered HTTP ${error.status}`;
  const status = (error as { response?: { code?: unknown } } | null)?.response?.code;
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  const text = typeof status === "number" && !message.includes(String(status)) ? `HTTP ${status}: ${message}` : message;
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

/** What reading the shop's details needs of an Admin API client. */
export type ShopAdmin = Pick<AdminApiContext, "graphql">;

export async function fetchShopDetails(admin: ShopAdmin): Promise<ShopDetails> {
  let body: unknown;
  try {
    const response = await admin.graphql(SHOP_QUERY);
    body = await response.json();
  } catch (error) {
    throw new ShopDetailsUnavailable(describeAdminFailure(error));
  }
  const parsed = shopAnswer.safeParse(body);
  if (!parsed.success) {
    const first = (body as { errors?: Array<{ message?: unknown }> } | null)?.errors?.[0]?.message;
    throw new ShopDetailsUnavailable(typeof first === "string" ? first : "Shopify's answer to the shop query was not understood");
  }
  const { shop, shopLocales } = parsed.data.data;
  return {
    name: shop.name,
    email: shop.email ?? null,
    currency: shop.currencyCode,
    timezone: shop.ianaTimezone,
    countryCode: shop.billingAddress?.countryCodeV2 ?? "US",
    primaryLocale: shopLocales.find((l) => l.primary)?.locale ?? "en",
  };
}
