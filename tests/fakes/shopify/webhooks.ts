import { createHmac, randomUUID } from "node:crypto";

/**
 * Sends webhooks the way Shopify does: POST, JSON body, HMAC-SHA256 of the raw body with the
 * app's API secret, base64, in X-Shopify-Hmac-Sha256, and the documented X-Shopify-* headers.
 * https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook
 */
export interface WebhookDelivery {
  topic: string; // "carts/update"
  shop: string;
  payload: unknown;
  /** Same event id for every retry of one event */
  eventId?: string;
  webhookId?: string;
  triggeredAt?: Date;
  apiVersion?: string;
  /** Override the raw body (for malformed-body tests); the HMAC still covers it */
  rawBody?: string | Buffer;
  /** Override the signature (for bad-signature tests); null = header omitted */
  hmac?: string | null;
}

export function signShopifyBody(body: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export function webhookRequest(delivery: WebhookDelivery, secret: string) {
  const body = delivery.rawBody ?? JSON.stringify(delivery.payload);
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": delivery.topic,
    "X-Shopify-Shop-Domain": delivery.shop,
    "X-Shopify-API-Version": delivery.apiVersion ?? "2026-10",
    "X-Shopify-Webhook-Id": delivery.webhookId ?? randomUUID(),
    "X-Shopify-Event-Id": delivery.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": (delivery.triggeredAt ?? new Date()).toISOString(),
    "User-Agent": "Shopify-Captain-Hook",
  };
  const hmac = delivery.hmac === undefined ? signShopifyBody(body, secret) : delivery.hmac;
  if (hmac !== null) headers["X-Shopify-Hmac-Sha256"] = hmac;
  return { body, headers };
}

/** Where each topic is delivered (shopify.app.toml's subscriptions). */
export function webhookPath(topic: string) {
  return `/webhooks/${topic}`;
}

export async function sendWebhook(appUrl: string, secret: string, delivery: WebhookDelivery) {
  const { body, headers } = webhookRequest(delivery, secret);
  return fetch(new URL(webhookPath(delivery.topic), appUrl), {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
}
