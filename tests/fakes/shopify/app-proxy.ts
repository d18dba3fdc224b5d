import { createHmac } from "node:crypto";

/**
 * Forwards storefront requests the way Shopify's app proxy does: /apps/<subpath>/<rest> on the
 * shop's domain becomes <proxy url>/<rest> with `shop`, `logged_in_customer_id`, `path_prefix`
 * and `timestamp` added to the query and `signature` = hex HMAC-SHA256 (API secret) of the sorted
 * `key=value` pairs, repeated keys' values joined with ",", concatenated with no separator.
 * https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies
 */
export function appProxySignature(query: URLSearchParams, secret: string): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of query) {
    if (key === "signature") continue;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  const message = [...grouped.keys()]
    .sort()
    .map((key) => `${key}=${grouped.get(key)!.join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

export interface ProxyForward {
  shop: string;
  /** Path after the proxy prefix, e.g. "/optin" */
  path: string;
  /** The storefront request's own query string, kept as Shopify keeps it */
  query?: URLSearchParams;
  customerId?: string;
  pathPrefix?: string;
  timestamp?: number;
  /** Override for bad-signature tests; null = parameter omitted */
  signature?: string | null;
}

/** The URL Shopify would call on the app, signed. */
export function signedProxyUrl(appUrl: string, proxyBase: string, forward: ProxyForward, secret: string): string {
  const query = new URLSearchParams(forward.query);
  query.set("shop", forward.shop);
  query.set("logged_in_customer_id", forward.customerId ?? "");
  query.set("path_prefix", forward.pathPrefix ?? "/apps/rebound");
  query.set("timestamp", String(forward.timestamp ?? Math.floor(Date.now() / 1000)));
  const signature = forward.signature === undefined ? appProxySignature(query, secret) : forward.signature;
  if (signature !== null) query.set("signature", signature);
  return `${appUrl}${proxyBase}${forward.path}?${query.toString()}`;
}

/** A desktop browser: Shopify's library answers bot user agents (curl, node, HeadlessChrome) 410. */
export const DESKTOP_CHROME_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** Sends a storefront request through the (fake) app proxy to the app. */
export function proxyFetch(
  appUrl: string,
  secret: string,
  forward: ProxyForward,
  init: { method?: string; body?: string | Uint8Array; contentType?: string; accept?: string; forwardedFor?: string; userAgent?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    "User-Agent": init.userAgent ?? DESKTOP_CHROME_UA,
    "X-Forwarded-For": init.forwardedFor ?? "198.51.100.7",
  };
  if (init.contentType) headers["Content-Type"] = init.contentType;
  if (init.accept) headers.Accept = init.accept;
  return fetch(signedProxyUrl(appUrl, "/proxy", forward, secret), {
    method: init.method ?? "POST",
    headers,
    body: init.body as BodyInit | undefined,
  });
}
