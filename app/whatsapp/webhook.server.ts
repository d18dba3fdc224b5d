import prisma from "../db.server";
import { env } from "../env.server";
import { handleInboundMessage } from "../consent/inbound.server";
import { decryptSecret } from "../security/encryption.server";
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
 * POSTs are verified with X-Hub-Signature-256 before anything is read, routed to their shop by
 * the phone number id (messages, statuses) or the WhatsApp Business Account id (templates),
 * and applied idempotently: Meta retries a delivery that did not get a 200.
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started
 */
function safeDecrypt(envelope: string | null): string | null {
  if (!envelope) return null;
  try {
    return decryptSecret(envelope);
  } catch {
    return null;
  }
}

/** GET: Meta proves the endpoint is ours by asking us to echo hub.challenge for our verify token. */
export async function verifyWhatsAppSubscription(url: URL): Promise<Response> {
  const mode = url.searchParams.get("hub.mode");
  const token = url.searchParams.get("hub.verify_token");
  const challenge = url.searchParams.get("hub.challenge");
  if (mode !== "subscribe" || !token || !challenge) return new Response("Forbidden", { status: 403 });
  const connections = await prisma.whatsAppConnection.findMany({
    where: { verifyTokenEnc: { not: null } },
    select: { verifyTokenEnc: true },
  });
  const known = connections.some((c) => safeDecrypt(c.verifyTokenEnc) === token);
  if (!known) return new Response("Forbidden", { status: 403 });
  return new Response(challenge, { status: 200, headers: { "Content-Type": "text/plain" } });
}

/**
 * Meta's phone number and business account ids are numeric strings. The body is not verified
 * yet, so anything else (a NUL byte PostgreSQL refuses, a thousand ids) is not looked up at all.
 */
const metaId = (value: unknown): value is string => typeof value === "string" && /^[0-9]{1,32}$/.test(value);
const MAX_IDS = 50;

function referencedIds(raw: unknown): { phoneNumberIds: string[]; accountIds: string[] } {
  const phoneNumberIds: string[] = [];
  const accountIds: string[] = [];
  const entries = (raw as { entry?: unknown })?.entry;
  if (!Array.isArray(entries)) return { phoneNumberIds, accountIds };
  for (const entry of (entries as Array<Record<string, unknown>>).slice(0, MAX_IDS)) {
    if (metaId(entry?.id)) accountIds.push(entry.id);
    for (const change of Array.isArray(entry?.changes) ? (entry.changes as Array<Record<string, unknown>>).slice(0, MAX_IDS) : []) {
      const id = (change?.value as { metadata?: { phone_number_id?: unknown } })?.metadata?.phone_number_id;
      if (metaId(id)) phoneNumberIds.push(id);
    }
  }
  return { phoneNumberIds: phoneNumberIds.slice(0, MAX_IDS), accountIds: accountIds.slice(0, MAX_IDS) };
}

/** The per-connection app secrets of the shops the body names. */
async function connectionSecrets(raw: unknown): Promise<string[]> {
  const secrets: string[] = [];
  const { phoneNumberIds, accountIds } = referencedIds(raw);
  if (phoneNumberIds.length + accountIds.length === 0) return secrets;
  const connections = await prisma.whatsAppConnection.findMany({
    where: { appSecretEnc: { not: null }, OR: [{ phoneNumberId: { in: phoneNumberIds } }, { businessAccountId: { in: accountIds } }] },
    select: { appSecretEnc: true },
  });
  for (const c of connections) {
    const secret = safeDecrypt(c.appSecretEnc);
    if (secret) secrets.push(secret);
  }
  return secrets;
}

type Work = () => Promise<void>;

const decoder = new TextDecoder();

/**
 * POST: verify, validate everything, then apply each change. Served straight from node:http
 * (app/routes/whatsapp.webhook.tsx): Meta posts three statuses per message sent.
 */
export async function receiveWhatsAppWebhook(delivery: RawDelivery): Promise<WebhookAnswer> {
  if (delivery.method !== "POST") return { status: 405 };
  const signature = delivery.header("x-hub-signature-256");
  if (!signature) return { status: 401, body: { error: "missing X-Hub-Signature-256" } };
  const { body } = delivery;
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(body));
  } catch {
    raw = undefined;
  }
  // The signature is checked before the body is trusted. The Meta app secret (environment) is
  // tried first; per-connection secrets are looked up by the ids the (still unverified) body
  // names, only when it does not match, and only used to verify it.
  const appSecret = env().WHATSAPP_APP_SECRET;
  const verified =
    (appSecret ? verifyMetaSignature(body, signature, [appSecret]) : false) ||
    verifyMetaSignature(body, signature, await connectionSecrets(raw));
  if (!verified) return { status: 401, body: { error: "signature does not match" } };
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
          forEachShopOfAccount(entry.id, key, "whatsapp/message_template_status_update", (shop) =>
            applyTemplateStatus(shop, {
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
          forEachShopOfAccount(entry.id, key, "whatsapp/template_category_update", (shop) =>
            applyTemplateCategory(shop, {
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
async function forEachShopOfAccount(accountId: string, key: string, topic: string, apply: (shop: string) => Promise<void>) {
  const connections = await prisma.whatsAppConnection.findMany({ where: { businessAccountId: accountId }, select: { shop: true } });
  for (const { shop } of connections) {
    await once(`${key}:${shop}`, shop, topic, () => apply(shop));
  }
}

/**
 * Records the delivery and applies it; when applying fails the record is removed again, so the
 * 500 makes Meta retry and the retry is not mistaken for a duplicate.
 */
async function once(eventId: string, shop: string, topic: string, apply: () => Promise<unknown>) {
  const inserted = await prisma.$executeRaw`
    INSERT INTO "WebhookReceipt" ("eventId", shop, topic) VALUES (${eventId}, ${shop}, ${topic})
    ON CONFLICT ("eventId") DO NOTHING`;
  if (inserted === 0) return;
  try {
    await apply();
  } catch (error) {
    await prisma.webhookReceipt.deleteMany({ where: { eventId } });
    throw error;
  }
}

/** Replies (STOP, START, the "Stop promotions" button) go to the consent module. */
async function receiveInbound(shop: string, phoneNumberId: string, message: InboundWhatsAppMessage) {
  const buttonPayload = message.button?.payload ?? message.interactive?.button_reply?.id;
  const buttonText = message.button?.text ?? message.interactive?.button_reply?.title;
  await once(`wa:message:${message.id}`, shop, "whatsapp/messages", () =>
    handleInboundMessage({
      shop,
      phoneNumberId,
      from: message.from.startsWith("+") ? message.from : `+${message.from}`,
      messageId: message.id,
      text: message.text?.body,
      buttonPayload,
      buttonText,
      at: new Date(Number(message.timestamp) * 1000),
    }),
  );
}
