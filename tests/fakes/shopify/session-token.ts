import { createHmac, randomUUID } from "node:crypto";

/**
 * Signs a session token the way the Shopify admin does for an embedded app: an HS256 JWT with
 * the app's API secret, issued for one shop and one staff member (shopify.dev, "Session tokens
 * for embedded apps": iss = https://<shop>/admin, dest = https://<shop>, aud = client id).
 */
export interface SessionTokenInput {
  shop: string;
  apiKey: string;
  secret: string;
  userId?: string;
  /** Seconds the token lives; Shopify issues one-minute tokens. */
  ttl?: number;
  now?: number;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

export function signSessionToken({ shop, apiKey, secret, userId = "42", ttl = 60, now = Date.now() }: SessionTokenInput): string {
  const iat = Math.floor(now / 1000);
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: apiKey,
      sub: userId,
      exp: iat + ttl,
      nbf: iat - 5,
      iat,
      jti: randomUUID(),
      sid: randomUUID(),
    }),
  );
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** The query string the admin puts on an embedded app's first load. */
export function embeddedQuery(shop: string, token: string): string {
  const host = Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64url");
  return new URLSearchParams({ shop, host, embedded: "1", id_token: token }).toString();
}
