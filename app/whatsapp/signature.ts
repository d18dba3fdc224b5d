import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Meta signs every webhook POST with the app secret: X-Hub-Signature-256 = "sha256=" + hex
 * HMAC-SHA256 of the raw body. Compare in constant time; any candidate secret may match.
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads
 */
export function signMetaBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export function verifyMetaSignature(body: Uint8Array, header: string | null, secrets: string[]): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const given = Buffer.from(header.slice(7).toLowerCase(), "hex");
  return secrets.some((secret) => {
    const expected = Buffer.from(signMetaBody(body, secret).slice(7), "hex");
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
