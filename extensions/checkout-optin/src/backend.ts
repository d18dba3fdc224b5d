/**
 * Talks to the Rebound app: POST /api/checkout-optin with the extension's session token, which
 * the app verifies with authenticate.public.checkout. The app's origin is fixed at build time
 * (scripts/bundle-checkout-extension.ts defines it from SHOPIFY_APP_URL).
 */
declare const __REBOUND_APP_URL__: string | undefined;

export const APP_URL: string =
  typeof __REBOUND_APP_URL__ === "string" && __REBOUND_APP_URL__ ? __REBOUND_APP_URL__ : "https://example.com";

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

export type OptInReply = { ok: true; status: "pending" | "subscribed" } | { ok: false; code: string };

export async function sendOptIn(request: OptInRequest, token: string): Promise<OptInReply> {
  try {
    const response = await fetch(`${APP_URL}/api/checkout-optin`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(request),
    });
    const reply = (await response.json().catch(() => ({}))) as Partial<{ ok: boolean; status: string; code: string }>;
    if (response.ok && reply.ok) return { ok: true, status: reply.status === "subscribed" ? "subscribed" : "pending" };
    return { ok: false, code: reply.code ?? (response.status === 429 ? "rate_limited" : "generic") };
  } catch {
    return { ok: false, code: "network" };
  }
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
