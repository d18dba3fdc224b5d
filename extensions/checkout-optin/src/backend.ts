/**
 * Talks to the Rebound app: POST <app URL>/api/checkout-optin with the extension's session token,
 * which the app verifies with authenticate.public.checkout.
 *
 * Checkout UI extensions have no relative "app URL": fetch() needs the absolute URL of the app
 * (its application_url). The bundler writes it in: Shopify CLI replaces every `process.env.X` in
 * an extension with the value of X from the deploying shell or the app's .env
 * (https://github.com/Shopify/cli/issues/15), and `shopify app dev` adds APP_URL for its tunnel;
 * scripts/bundle-checkout-extension.ts does the same and refuses a production build without
 * SHOPIFY_APP_URL. When nothing was written in, the form says sign-up is unavailable instead of
 * posting anywhere.
 */
declare const process: { env: Record<string, string | undefined> };

export function appUrl(): string | undefined {
  let configured: string | undefined;
  try {
    configured =
      process.env.NODE_ENV === "development" ? process.env.APP_URL || process.env.SHOPIFY_APP_URL : process.env.SHOPIFY_APP_URL;
  } catch {
    // Bundled without the variable: `process` does not exist inside checkout's sandbox.
    return undefined;
  }
  if (!configured || !/^https?:\/\/[^/\s]+/i.test(configured)) return undefined;
  return configured.replace(/\/+$/, "");
}

/** How long the shopper waits at most for each step before being told it did not work. */
export const TOKEN_TIMEOUT_MS = 5_000;
export const REQUEST_TIMEOUT_MS = 10_000;

export interface OptInRequest {
  phone: string;
  country?: string;
  source: "checkout" | "thank_you";
  consentText: string;
  textVersion: string;
  locale: string;
  checkoutToken?: string;
  orderId?: string;
}

/**
 * `unavailable`: no session token, no app URL, or the app refused the token (nothing the shopper
 * can fix); `network`: the app did not answer in time; `server`: the app failed. Other codes are
 * the app's own (`invalid_phone`, `rate_limited`, ...).
 */
export type OptInReply = { ok: true } | { ok: false; code: string };

class TimedOut extends Error {}

function within<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new TimedOut());
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function sendOptIn(request: OptInRequest, getToken: () => Promise<string>): Promise<OptInReply> {
  const base = appUrl();
  if (!base) return { ok: false, code: "unavailable" };

  let token: string;
  try {
    token = await within(Promise.resolve().then(getToken), TOKEN_TIMEOUT_MS);
  } catch {
    return { ok: false, code: "unavailable" };
  }
  if (typeof token !== "string" || !token) return { ok: false, code: "unavailable" };

  const controller = typeof AbortController === "function" ? new AbortController() : undefined;
  try {
    const reply = await within(
      (async () => {
        const response = await fetch(`${base}/api/checkout-optin`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
          body: JSON.stringify(request),
          signal: controller?.signal,
        });
        const body = (await response.json().catch(() => ({}))) as Partial<{ ok: boolean; code: string }>;
        return { response, body };
      })(),
      REQUEST_TIMEOUT_MS,
      () => controller?.abort(),
    );
    return readReply(reply.response, reply.body);
  } catch {
    return { ok: false, code: "network" };
  }
}

/** The app answers every accepted sign-up alike, whether or not the number was known to it. */
function readReply(response: Response, body: Partial<{ ok: boolean; code: string }>): OptInReply {
  if (response.ok && body.ok) return { ok: true };
  if (response.status === 401 || response.status === 403) return { ok: false, code: "unavailable" };
  if (response.status === 429) return { ok: false, code: "rate_limited" };
  if (response.status >= 500 || response.ok) return { ok: false, code: "server" };
  return { ok: false, code: typeof body.code === "string" ? body.code : "generic" };
}

/** Same fingerprint as the storefront blocks: the ledger's text version follows the exact words. */
export function textVersion(text: string): string {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return `t${hash.toString(16)}`;
}

/** "gid://shopify/Order/123" → "123" */
export function numericId(gid: string | undefined): string | undefined {
  const match = gid ? /(\d+)$/.exec(gid) : null;
  return match ? match[1] : undefined;
}

/**
 * Reads a value the checkout may withhold: buyerIdentity and the addresses exist only when the
 * app was granted protected customer data (level 2 for phone numbers), and reading a missing one
 * must not break the form.
 * https://shopify.dev/docs/api/checkout-ui-extensions/2026-07-rc/target-apis/checkout-apis/buyer-identity-api
 */
export function readOptional<T>(read: () => T): T | undefined {
  try {
    return read() ?? undefined;
  } catch {
    return undefined;
  }
}
