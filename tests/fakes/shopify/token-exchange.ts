import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FakeAdminStore } from "./admin-store";

/**
 * Shopify's token exchange, as an embedded app installs itself: the app posts the session token
 * the admin gave it (an HS256 JWT signed with the app's secret) to
 * POST https://<shop>/admin/oauth/access_token and gets an offline access token for the scopes
 * the app's configuration asks for. A managed installation grants exactly those scopes, so the
 * fake grants the store's `appScopes` (shopify.app.toml unless a test says otherwise).
 * https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange
 * https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens
 */
export interface FakeAppCredentials {
  apiKey: string;
  secret: string;
}

export interface TokenExchangeAnswer {
  status: number;
  body: Record<string, unknown>;
}

const GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONE_HOUR = 3600;
const THIRTY_DAYS = 30 * 24 * 3600;

const invalid = (status: number, error: string, description: string): TokenExchangeAnswer => ({
  status,
  body: { error, error_description: description },
});

/** The claims of a session token signed with `secret`, or null when it is not one. */
function verifySessionToken(token: string, secret: string, now: number): Record<string, unknown> | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts;
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const head = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { alg?: string };
    if (head.alg !== "HS256") return null;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const seconds = Math.floor(now / 1000);
    if (typeof claims.exp !== "number" || claims.exp < seconds) return null;
    if (typeof claims.nbf === "number" && claims.nbf > seconds + 5) return null;
    return claims;
  } catch {
    return null;
  }
}

export function exchangeToken(
  store: FakeAdminStore,
  app: FakeAppCredentials | undefined,
  domain: string,
  body: Record<string, unknown>,
  now = Date.now(),
): TokenExchangeAnswer {
  if (!app || body.client_id !== app.apiKey || body.client_secret !== app.secret) {
    return invalid(401, "invalid_client", "Client authentication failed");
  }
  if (body.grant_type !== GRANT_TYPE || body.subject_token_type !== ID_TOKEN) {
    return invalid(400, "unsupported_grant_type", "grant_type and subject_token_type must name a token exchange of an id token");
  }
  const claims = typeof body.subject_token === "string" ? verifySessionToken(body.subject_token, app.secret, now) : null;
  if (!claims || claims.aud !== app.apiKey || claims.dest !== `https://${domain}`) {
    return invalid(400, "invalid_subject_token", "The session token is not valid for this app and shop");
  }
  if (body.requested_token_type !== OFFLINE) {
    return invalid(400, "invalid_request", "The fake Admin API issues offline access tokens only");
  }
  const shop = store.shops.get(domain);
  if (!shop) return invalid(404, "invalid_request", "Unknown shop");

  // Installing (again) grants the app's configured scopes to this installation.
  shop.scopes = [...store.appScopes];
  const accessToken = `shpat_${randomBytes(16).toString("hex")}`;
  store.issuedTokens.set(accessToken, domain);
  const expiring = body.expiring === "1" || body.expiring === 1;
  return {
    status: 200,
    body: {
      access_token: accessToken,
      scope: shop.scopes.join(","),
      ...(expiring
        ? {
            expires_in: ONE_HOUR,
            refresh_token: `shprt_${randomBytes(16).toString("hex")}`,
            refresh_token_expires_in: THIRTY_DAYS,
          }
        : {}),
    },
  };
}
