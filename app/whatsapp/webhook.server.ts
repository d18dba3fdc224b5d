import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Prisma } from "@prisma/client";
import prisma from "../db.server";
import { env } from "../env.server";
import { handleInboundMessage } from "../consent/inbound.server";
import type { RawDelivery, WebhookAnswer } from "../webhooks/ingest.server";
import { verifyMetaSignature } from "./signature";
import { applyStatusUpdate } from "./status-updates.server";
import { applyTemplateCategory, applyTemplateStatus } from "./template-events.server";
import {
  envelopeSchema,
  messagesValueSchema,
  templateCategorySchema,
  templateStatusSchema,
  type InboundWhatsAppMessage,
} from "./webhook-payload";

/**
 * The WhatsApp Cloud API webhook: subscription verification (GET) and notifications (POST).
 * POSTs are verified with X-Hub-Signature-256 and Rebound's Meta app secret (the only one: see
 * docs/decisions/019-one-meta-app-secret.md) before anything is read, routed to their shop by
 * the phone number id (messages, statuses) or the WhatsApp Business Account id (templates),
 * and applied idempotently: Meta retries a delivery that did not get a 200.
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

type Work = () => Promise<void>;

const decoder = new TextDecoder();

/**
 * POST: verify, validate everything, then apply each change. Served straight from node:http
 * (app/routes/whatsapp.webhook.tsx): Meta posts three statuses per message sent.
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

  // Validate every change before applying any, so a malformed delivery stores nothing.
  const work: Work[] = [];
  const problems: string[] = [];
  for (const entry of envelope.data.entry) {
    for (const change of entry.changes) {
      if (change.field === "messages") {
        const value = messagesValueSchema.safeParse(change.value);
        if (!value.success) {
          problems.push(`messages: ${value.error.issues[0]?.path.join(".")} ${value.error.issues[0]?.message}`);
          continue;
        }
        const phoneNumberId = value.data.metadata.phone_number_id;
        work.push(async () => {
          // The statement finds the shop by the number; a number no shop owns any more is dropped.
          // Statuses of one delivery are applied together (and in their order where they meet).
          await Promise.all((value.data.statuses ?? []).map((status) => applyStatusUpdate(phoneNumberId, status)));
          const messages = value.data.messages ?? [];
          if (messages.length === 0) return;
          const connection = await prisma.whatsAppConnection.findUnique({ where: { phoneNumberId }, select: { shop: true } });
          if (!connection) return; // a number no shop owns any more: acknowledge and drop
          for (const message of messages) await receiveInbound(connection.shop, phoneNumberId, message);
        });
      } else if (change.field === "message_template_status_update") {
        const value = templateStatusSchema.safeParse(change.value);
        if (!value.success) {
          problems.push("message_template_status_update: malformed value");
          continue;
        }
        const key = `wa:template:${value.data.message_template_id}:${value.data.event}:${entry.time ?? ""}`;
        work.push(() =>
          forEachShopOfAccount(entry.id, key, "whatsapp/message_template_status_update", (tx, shop) =>
            applyTemplateStatus(tx, shop, {
              name: value.data.message_template_name,
              language: value.data.message_template_language,
              event: value.data.event,
              reason: value.data.reason,
            }),
          ),
        );
      } else if (change.field === "template_category_update") {
        const value = templateCategorySchema.safeParse(change.value);
        if (!value.success) {
          problems.push("template_category_update: malformed value");
          continue;
        }
        const key = `wa:category:${value.data.message_template_id}:${value.data.previous_category ?? "impending"}:${value.data.new_category}:${entry.time ?? ""}`;
        work.push(() =>
          forEachShopOfAccount(entry.id, key, "whatsapp/template_category_update", (tx, shop) =>
            applyTemplateCategory(tx, shop, {
              name: value.data.message_template_name,
              language: value.data.message_template_language,
              newCategory: value.data.new_category,
              previousCategory: value.data.previous_category,
            }),
          ),
        );
      }
    }
  }
  if (problems.length > 0) return { status: 400, body: { error: "malformed change", problems: problems.slice(0, 5) } };
  for (const apply of work) await apply();
  return { status: 200, body: { ok: true } };
}

/** Template changes name the WhatsApp Business Account; each shop on it gets the change once. */
async function forEachShopOfAccount(accountId: string, key: string, topic: string, apply: (tx: Prisma.TransactionClient, shop: string) => Promise<void>) {
  const connections = await prisma.whatsAppConnection.findMany({ where: { businessAccountId: accountId }, select: { shop: true } });
  for (const { shop } of connections) {
    await once(`${key}:${shop}`, shop, topic, (tx) => apply(tx, shop));
  }
}

/**
 * Records the delivery and applies it in one transaction: the receipt is committed only with
 * the change it stands for. A failure, or the process dying half way, leaves neither, so Meta's
 * retry is applied instead of being taken for a duplicate. A concurrent copy of the delivery
 * waits on the receipt's unique key and then finds it.
 */
async function once(eventId: string, shop: string, topic: string, apply: (tx: Prisma.TransactionClient) => Promise<unknown>) {
  await prisma.$transaction(async (tx) => {
    const inserted = await tx.$executeRaw`
      INSERT INTO "WebhookReceipt" ("eventId", shop, topic) VALUES (${eventId}, ${shop}, ${topic})
      ON CONFLICT ("eventId") DO NOTHING`;
    if (inserted > 0) await apply(tx);
  });
}

/**
 * Replies (STOP, START, the "Stop promotions" button) go to the consent module. No receipt: the
 * consent ledger records the message id in the same transaction as the change it makes, and a
 * message id already in the ledger changes nothing (app/consent/inbound.server.ts), so a retry
 * after a crash is applied and a retry after success is not.
 */
async function receiveInbound(shop: string, phoneNumberId: string, message: InboundWhatsAppMessage) {
  const buttonPayload = message.button?.payload ?? message.interactive?.button_reply?.id;
  const buttonText = message.button?.text ?? message.interactive?.button_reply?.title;
  await handleInboundMessage({
    shop,
    phoneNumberId,
    from: message.from.startsWith("+") ? message.from : `+${message.from}`,
    messageId: message.id,
    text: message.text?.body,
    buttonPayload,
    buttonText,
    at: new Date(Number(message.timestamp) * 1000),
  });
}
