import { MARKETING_LIMIT_WAIT_MS, recordMarketingLimited, recordMarketingStopped } from "../consent/marketing-signals.server";
import { learnIdentity } from "../consent/identity.server";
import { recordDeliveryStatus, type DeliveryStatus, type StatusOutcome } from "../outbox/delivery-statuses.server";
import { MARKETING_LIMIT, MARKETING_STOPPED, WhatsAppApiError } from "./errors";
import type { StatusUpdate } from "./webhook-payload";

/**
 * Message status webhooks (sent, delivered, read, failed): parsed here, recorded by the outbox
 * (app/outbox/delivery-statuses.server.ts), then what a failure says about the shopper goes to
 * their consent record.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples#message-status-updates
 */
export type { StatusOutcome };

/** How far along a status is; a status only replaces one further back (failed is 0: see app/outbox/delivery-statuses.server.ts). */
const RANK: Record<string, number> = { sent: 1, delivered: 2, read: 3 };

/** What the statement needs of one status; computed before it is queued. */
function statusParam(phoneNumberId: string, update: StatusUpdate, at: Date): DeliveryStatus {
  const error = update.errors?.[0];
  const detail: Record<string, unknown> = { waMessageId: update.id, ...(error ? { code: error.code, title: error.title ?? null } : {}) };
  const failed = update.status === "failed";
  const until = failed && error?.code === MARKETING_LIMIT ? new Date(at.getTime() + MARKETING_LIMIT_WAIT_MS) : null;
  const typed = failed && error ? new WhatsAppApiError({ code: error.code, title: error.title ?? "failed", httpStatus: 200 }) : null;
  return {
    phone: phoneNumberId,
    wa: update.id,
    cb: update.biz_opaque_callback_data ?? null,
    status: update.status,
    rank: RANK[update.status] ?? 0,
    at: at.toISOString(),
    until: until?.toISOString() ?? null,
    code: failed ? (error?.code ?? null) : null,
    title: failed ? (error?.title ?? null) : null,
    details: failed ? (error?.error_data?.details ?? error?.message ?? null) : null,
    reason: failed ? (typed?.merchantReason ?? "WhatsApp reported the message as failed.") : null,
    detail,
    retry: until ? { ...detail, until: until.toISOString() } : null,
  };
}

/** Applies one status reported by a phone number; resolves once it is committed. */
export async function applyStatusUpdate(phoneNumberId: string, update: StatusUpdate): Promise<StatusOutcome> {
  if (!Object.hasOwn(RANK, update.status) && update.status !== "failed") return "ignored";
  const at = new Date(Number(update.timestamp) * 1000);
  const { outcome, shop, subscriberId } = await recordDeliveryStatus(statusParam(phoneNumberId, update, at));

  // A status naming both the recipient's wa_id and BSUID ties the BSUID to the subscriber (and
  // applies a STOP that arrived with only the BSUID).
  if (shop && subscriberId && update.recipient_user_id) {
    await learnIdentity(shop, subscriberId, { waId: update.recipient_id ?? null, bsuid: update.recipient_user_id });
  }
  // Subscriber-level consequences of a failure, after the status itself is recorded. They commit
  // apart from its receipt, so a crash in between would leave a receipt without them: they are
  // applied again for a duplicate of an applied failure (Meta's retry), and each is idempotent
  // (set once; only ever later), so applying one twice changes nothing.
  const error = update.errors?.[0];
  if ((outcome === "applied" || outcome === "duplicate") && shop && subscriberId && error) {
    if (error.code === MARKETING_STOPPED) await recordMarketingStopped(shop, subscriberId, at, update.id);
    if (error.code === MARKETING_LIMIT) await recordMarketingLimited(shop, subscriberId, at);
  }
  return outcome;
}
