import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Meta signs every webhook POST with the app secret: X-Hub-Signature-256 = "sha256=" + hex
 * HMAC-SHA256 of the raw body. Rebound is one Meta app (a Tech Provider), so there is exactly one
 * secret to check against, compared in constant time.
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads
 */
export function verifyMetaSignature(body: Uint8Array, header: string | null | undefined, secret: string): boolean {
  if (!secret || !header || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const given = Buffer.from(header.slice(7).toLowerCase(), "hex");
  const expected = createHmac("sha256", secret).update(body).digest();
  return expected.length === given.length && timingSafeEqual(expected, given);
}
