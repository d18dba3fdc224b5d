import { describe, expect, it } from "vitest";
import { verifyShopifyDelivery } from "../../../app/webhooks/shopify-signature.server";
import { signShopifyBody, webhookRequest } from "../../fakes/shopify/webhooks";

const secret = "signature-test-secret";

function delivery(overrides: { body?: string; hmac?: string | null; drop?: string[]; method?: string } = {}) {
  const rawBody = overrides.body ?? JSON.stringify({ token: "abc" });
  const { headers } = webhookRequest({ topic: "carts/update", shop: "sig.myshopify.com", payload: null, rawBody, hmac: overrides.hmac }, secret);
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  for (const name of overrides.drop ?? []) lower.delete(name);
  return { method: overrides.method ?? "POST", header: (name: string) => lower.get(name), body: Buffer.from(rawBody) };
}

describe("Shopify webhook signature", () => {
  it("accepts Shopify's signature of the raw body and reads the documented headers", () => {
    const result = verifyShopifyDelivery(delivery(), secret);
    expect(result).toMatchObject({ ok: true, delivery: { shop: "sig.myshopify.com", topic: "CARTS_UPDATE", apiVersion: "2026-10" } });
  });

  it("answers as the Shopify library does: 401 without or with a wrong signature, 400 without a body or a header", () => {
    expect(verifyShopifyDelivery(delivery({ hmac: null }), secret)).toMatchObject({ ok: false, status: 401 });
    expect(verifyShopifyDelivery(delivery({ hmac: signShopifyBody("{}", secret) }), secret)).toMatchObject({ ok: false, status: 401 });
    expect(verifyShopifyDelivery(delivery({ hmac: signShopifyBody(JSON.stringify({ token: "abc" }), "other") }), secret)).toMatchObject({ ok: false, status: 401 });
    // Same bytes, different text: the signature's base64 must match exactly, not merely decode alike.
    const good = signShopifyBody(JSON.stringify({ token: "abc" }), secret);
    expect(verifyShopifyDelivery(delivery({ hmac: good.replace(/=+$/, "") }), secret)).toMatchObject({ ok: false, status: 401 });
    expect(verifyShopifyDelivery(delivery({ body: "" }), secret)).toMatchObject({ ok: false, status: 400 });
    for (const name of ["x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id"]) {
      expect(verifyShopifyDelivery(delivery({ drop: [name] }), secret)).toMatchObject({ ok: false, status: 400 });
    }
    expect(verifyShopifyDelivery(delivery({ method: "PUT" }), secret)).toMatchObject({ ok: false, status: 405 });
  });

  it("checks the signature before trusting any other header", () => {
    expect(verifyShopifyDelivery(delivery({ hmac: signShopifyBody("{}", secret), drop: ["x-shopify-topic"] }), secret)).toMatchObject({ ok: false, status: 401 });
  });
});
