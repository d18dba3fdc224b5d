import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Who sent a webhook, checked the way Shopify documents it: X-Shopify-Hmac-Sha256 is the base64
 * HMAC-SHA256 of the raw body keyed with the app's API secret, and every delivery carries
 * X-Shopify-Topic, X-Shopify-Shop-Domain, X-Shopify-API-Version and X-Shopify-Webhook-Id.
 * https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook
 *
 * The answers are those of the Shopify library's authenticate.webhook, which this replaces on
 * the ingest path (docs/decisions/015-webhook-ingest-path.md): a missing signature 401, an empty
 * body 400, a wrong signature 401, a signed delivery without the other headers 400.
 */
export interface ShopifyDelivery {
  method: string;
  /** A request header by lower-case name */
  header(name: string): string | undefined;
  body: Uint8Array;
}

export interface VerifiedDelivery {
  shop: string;
  /** In the library's stored form: "carts/update" becomes "CARTS_UPDATE" */
  topic: string;
  webhookId: string;
  eventId: string | undefined;
  triggeredAt: string | undefined;
  apiVersion: string;
}

export type Verification =
  | { ok: true; delivery: VerifiedDelivery }
  | { ok: false; status: 400 | 401 | 405; error?: string };

const REQUIRED = {
  topic: "x-shopify-topic",
  shop: "x-shopify-shop-domain",
  apiVersion: "x-shopify-api-version",
  webhookId: "x-shopify-webhook-id",
} as const;

/** A topic in the library's stored form: "carts/update" becomes "CARTS_UPDATE". */
export const storedTopic = (topic: string) => topic.toUpperCase().replace(/[/.]/g, "_");

/** Constant time in the signature's content: only its length can end the comparison early. */
export function signatureMatches(body: Uint8Array, given: string, secret: string): boolean {
  const expected = Buffer.from(createHmac("sha256", secret).update(body).digest("base64"));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function verifyShopifyDelivery(delivery: ShopifyDelivery, secret: string): Verification {
  if (delivery.method !== "POST") return { ok: false, status: 405 };
  const hmac = delivery.header("x-shopify-hmac-sha256");
  // Shopify always signs; a delivery without a signature is not from Shopify.
  if (!hmac) return { ok: false, status: 401, error: "missing X-Shopify-Hmac-Sha256" };
  if (delivery.body.length === 0) return { ok: false, status: 400 };
  if (!signatureMatches(delivery.body, hmac, secret)) return { ok: false, status: 401 };

  const topic = delivery.header(REQUIRED.topic);
  const shop = delivery.header(REQUIRED.shop);
  const apiVersion = delivery.header(REQUIRED.apiVersion);
  const webhookId = delivery.header(REQUIRED.webhookId);
  if (!topic || !shop || !apiVersion || !webhookId) return { ok: false, status: 400 };
  return {
    ok: true,
    delivery: {
      shop,
      topic: storedTopic(topic),
      webhookId,
      eventId: delivery.header("x-shopify-event-id") || undefined,
      triggeredAt: delivery.header("x-shopify-triggered-at") || undefined,
      apiVersion,
    },
  };
}
