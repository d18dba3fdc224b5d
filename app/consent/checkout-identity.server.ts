import type { JwtPayload } from "@shopify/shopify-api";
import { OptInRejected } from "./optin-submission.server";

/**
 * Who a checkout extension request speaks for, from its verified session token: `dest` is the
 * shop's domain, `sub` the logged-in customer's GID when there is one (shopify.dev, "Session
 * tokens" for checkout UI extensions).
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
