import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "../env.server";
import type { StoredTemplateParams, TemplateParams } from "../outbox/types";

/**
 * Link tokens derived from the notification instead of stored with it: the notification's id
 * (32 hex) followed by the first 128 bits of HMAC-SHA256(key, id) in hex. A fan-out can then
 * write its messages without a TrackedLink row each; the row is made on the first tap. Only
 * this server can mint one, so a notification id seen elsewhere (WhatsApp's callback data, the
 * admin) is not a link. See docs/decisions/014-tracked-links-on-first-click.md.
 */
const ID = /^[0-9a-f]{32}$/;
const DERIVED = /^([0-9a-f]{32})([0-9a-f]{32})$/;
const MAC_HEX = 32;

let cached: { secret: string; key: Buffer } | undefined;

/** A key of its own, derived from the app secret, so the MAC cannot stand in for any other. */
function linkKey(): Buffer {
  const secret = env().SHOPIFY_API_SECRET;
  if (cached?.secret !== secret) {
    cached = { secret, key: createHmac("sha256", secret).update("rebound:tracked-link-token:v1").digest() };
  }
  return cached.key;
}

function mac(id: string): string {
  return createHmac("sha256", linkKey()).update(id).digest("hex").slice(0, MAC_HEX);
}

export function derivedLinkToken(notificationId: string): string {
  if (!ID.test(notificationId)) throw new Error("derived link tokens need a 32-hex notification id");
  return notificationId + mac(notificationId);
}

/** The notification a derived token was minted for; null if it is not one or its MAC is wrong. */
export function notificationOfLinkToken(token: string): string | null {
  const match = DERIVED.exec(token);
  if (!match) return null;
  const [, id, given] = match;
  const expected = Buffer.from(mac(id), "hex");
  return timingSafeEqual(expected, Buffer.from(given, "hex")) ? id : null;
}

/** The parameters to send: a button awaiting its derived token gets this notification's. */
export function sendableParams(params: StoredTemplateParams, notificationId: string): TemplateParams {
  if (!params.buttons?.some((b) => "derivedLinkToken" in b)) return params as TemplateParams;
  return {
    ...params,
    buttons: params.buttons.map((b) => ("derivedLinkToken" in b ? { index: b.index, type: "url", suffix: derivedLinkToken(notificationId) } : b)),
  };
}
