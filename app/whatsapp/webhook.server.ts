import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { env } from "../env.server";
import { log } from "../shared/log.server";
import type { RawDelivery, WebhookAnswer } from "../webhooks/ingest.server";
import { verifyMetaSignature } from "./signature";
import { FIELD_HANDLERS } from "./webhook-fields.server";
import { envelopeSchema } from "./webhook-payload";

/**
 * The WhatsApp Cloud API webhook: subscription verification (GET) and notifications (POST).
 * POSTs are verified with X-Hub-Signature-256 and Rebound's Meta app secret (the only one: see
 * docs/decisions/019-one-meta-app-secret.md) before anything is read, routed to their shop by
 * the phone number id (messages, statuses) or the WhatsApp Business Account id (templates),
 * and applied idempotently: Meta retries a delivery that did not get a 200. Each field has its
 * handler (app/whatsapp/webhook-fields.server.ts).
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started
 */
/**
 * GET: Meta proves the endpoint is ours by asking us to echo hub.challenge for the verify token
 * set on Rebound's Meta app, one value for every merchant (WHATSAPP_VERIFY_TOKEN, ADR 023). The
 * answer costs the same whatever the number of shops, reads no database, and the comparison
 * takes the same time wherever a guess first differs.
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
 */
export function verifyWhatsAppSubscription(url: URL): Response {
  const expected = env().WHATSAPP_VERIFY_TOKEN;
  const mode = url.searchParams.get("hub.mode");
  const token = url.searchParams.get("hub.verify_token");
  const challenge = url.searchParams.get("hub.challenge");
  if (!expected || mode !== "subscribe" || token === null || !challenge || !sameSecret(token, expected)) {
    return new Response("Forbidden", { status: 403 });
  }
  return new Response(challenge, { status: 200, headers: { "Content-Type": "text/plain" } });
}

/** Both values are hashed with one key first, so the digests have one length whatever was sent. */
const COMPARE_KEY = randomBytes(32);
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHmac("sha256", COMPARE_KEY).update(value, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

const decoder = new TextDecoder();

/**
 * POST: verify, validate, then apply each change. Served straight from node:http
 * (app/routes/whatsapp.webhook.tsx): Meta posts three statuses per message sent.
 *
 * A delivery is answered 400 only when it is not a WhatsApp Business Account notification at
 * all. Inside one, a change Rebound cannot read is logged and skipped while the others are
 * applied: Meta retries the whole delivery until it gets a 200, so refusing it for one bad
 * change would hold back every good change beside it (a STOP among them) and get nothing back.
 */
export async function receiveWhatsAppWebhook(delivery: RawDelivery): Promise<WebhookAnswer> {
  if (delivery.method !== "POST") return { status: 405 };
  // Without Rebound's Meta app secret nothing can be verified, so nothing is accepted; Meta keeps
  // retrying a delivery that did not get a 200, so it arrives once the secret is configured.
  const appSecret = env().WHATSAPP_APP_SECRET;
  if (!appSecret) return { status: 503, body: { error: "WhatsApp webhooks are disabled" } };
  const signature = delivery.header("x-hub-signature-256");
  if (!signature) return { status: 401, body: { error: "missing X-Hub-Signature-256" } };
  const { body } = delivery;
  // The raw bytes are verified with the one app secret before anything in them is read: a body
  // that names a shop's number cannot choose the key it is checked with.
  if (!verifyMetaSignature(body, signature, appSecret)) return { status: 401, body: { error: "signature does not match" } };
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(body));
  } catch {
    raw = undefined;
  }
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) return { status: 400, body: { error: "not a WhatsApp Business Account notification" } };

  const work: Array<() => Promise<void>> = [];
  let skipped = 0;
  for (const entry of envelope.data.entry) {
    for (const change of entry.changes) {
      const handler = FIELD_HANDLERS.get(change.field);
      if (!handler) continue;
      const planned = handler.plan(change.value, { accountId: entry.id, time: entry.time });
      if (planned.ok) {
        work.push(planned.apply);
      } else {
        skipped++;
        // The field and the zod issue's path, never the value: it can hold a shopper's number.
        log.warn("whatsapp change skipped: malformed", { field: change.field, account: entry.id, problem: planned.problem });
      }
    }
  }
  for (const apply of work) await apply();
  return { status: 200, body: skipped > 0 ? { ok: true, skipped } : { ok: true } };
}
