import type { JwtPayload } from "@shopify/shopify-api";
import { OptInRejected } from "./optin-submission.server";

/**
 * Who a checkout extension request speaks for, from its verified session token: `dest` is the
 * shop's domain, `sub` the logged-in customer's GID, present only when there is one and the app
 * may read customers (shopify.dev, checkout UI extensions "Session Token API").
 *
 * That is all the token proves. It carries no phone and no checkout, so the phone in the body is
 * what the shopper submitted, whether the extension offered the one checkout already had or the
 * shopper typed another: the app trusts neither more than a number typed on the storefront. It is
 * parsed, rate limited per number and per address, and, with double opt-in on, stays pending
 * until its owner confirms on WhatsApp. Anything else the body claims about the number is ignored.
 */
export function checkoutIdentity(token: Pick<JwtPayload, "dest" | "sub">): { shop: string; customerId: string | null } {
  let shop: string;
  try {
    shop = new URL(token.dest.includes("://") ? token.dest : `https://${token.dest}`).hostname;
  } catch {
    throw new OptInRejected(401, "invalid_token");
  }
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) throw new OptInRejected(401, "invalid_token");
  const customer = /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(token.sub ?? "");
  return { shop, customerId: customer ? customer[1] : null };
}

/**
 * The library refuses a missing or bad token with a bare 401 that has no CORS headers, which a
 * checkout extension's fetch() can only see as a network failure. Giving the refusal the same
 * headers as every other answer lets the extension tell the shopper sign-up is unavailable.
 */
export function withRefusalCors(thrown: unknown, request: Request): unknown {
  if (!(thrown instanceof Response) || thrown.status !== 401 || !request.headers.get("origin")) return thrown;
  const headers = new Headers(thrown.headers);
  headers.set("Access-Control-Allow-Origin", "*");
  headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type");
  return new Response(thrown.body, { status: thrown.status, statusText: thrown.statusText, headers });
}
