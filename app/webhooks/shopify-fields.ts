import { z } from "zod";

/**
 * Scalars as Shopify's REST-shaped webhook payloads carry them. Ids arrive as JSON numbers (some
 * topics send strings) and are stored as their decimal string so they meet GraphQL GIDs on the
 * same key; money arrives as a decimal string ("19.99") and stays one until the database's
 * DECIMAL column, so no float rounding creeps in.
 *
 * Ids are unsigned 64-bit integers (https://shopify.dev/docs/api/usage/ids): those above 2^53
 * reach the schema as exact digit strings (parseShopifyJson in ./shopify-json.ts), never as a
 * rounded number. A number that is not a safe integer here was rounded before it arrived, and is
 * refused rather than stored wrong.
 */
const MAX_ID = 18446744073709551615n;

export const shopifyId = z
  .union([
    z.number().int().nonnegative(),
    z
      .string()
      .regex(/^\d{1,20}$/, "must be a numeric id")
      .refine((value) => !/^\d{1,20}$/.test(value) || BigInt(value) <= MAX_ID, "must be a 64-bit id"),
  ])
  .transform((value) => String(value));

export const money = z
  .union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/, "must be a decimal amount")])
  .transform((value) => (typeof value === "number" ? value.toFixed(2) : value));

// Shopify writes ISO 8601 with an offset ("2026-11-20T10:00:00-05:00"). Date.parse alone is too
// lenient: V8 reads "-1" or "' OR '1'='1" as 1 January 2001.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export const timestamp = z
  .string()
  .refine((value) => ISO_8601.test(value) && !Number.isNaN(Date.parse(value)), "must be an ISO 8601 timestamp")
  .transform((value) => new Date(value));

/** Optional text that Shopify sends as null, "" or absent; all three mean "not given". */
export const optionalText = z
  .string()
  .nullish()
  .transform((value) => (value && value.trim() !== "" ? value.trim() : null));

/** The tail of a GID ("gid://shopify/ProductVariant/123" -> "123"), or the id itself. */
export function idFromGid(gid: string): string {
  const tail = gid.split("/").pop() ?? gid;
  return tail.split("?")[0];
}

/** Sum of price × quantity in cents, back to a two-decimal string. */
export function sumMoney(amounts: Array<{ price: string; quantity: number }>): string {
  const cents = amounts.reduce((total, line) => total + Math.round(Number(line.price) * 100) * line.quantity, 0);
  return (cents / 100).toFixed(2);
}
