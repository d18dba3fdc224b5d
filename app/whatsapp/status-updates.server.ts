import type { NotificationStatus, Prisma } from "@prisma/client";
import prisma from "../db.server";
import { MARKETING_LIMIT_WAIT_MS, recordMarketingLimited, recordMarketingStopped } from "../outbox/marketing-signals.server";
import { MARKETING_LIMIT, MARKETING_STOPPED, WhatsAppApiError } from "./errors";
import type { StatusUpdate } from "./webhook-payload";

/**
 * Message status webhooks (sent, delivered, read, failed) applied to the outbox. Meta delivers at
 * least once and out of order, so each update is recorded once (WebhookReceipt) and a status
 * never moves backwards: read > delivered > sent. A failure after delivery is ignored.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples#message-status-updates
 */
const PROGRESS: Record<string, NotificationStatus[]> = {
  // status -> the statuses it may replace
  sent: ["sending"],
  delivered: ["sending", "sent"],
  read: ["sending", "sent", "delivered"],
  failed: ["sending", "sent"],
};

export type StatusOutcome = "applied" | "duplicate" | "stale" | "unknown_message" | "ignored";

export async function applyStatusUpdate(shop: string, update: StatusUpdate): Promise<StatusOutcome> {
  const replaces = PROGRESS[update.status];
  if (!replaces) return "ignored";
  const at = new Date(Number(update.timestamp) * 1000);
  const error = update.errors?.[0];

  const result = await prisma.$transaction(async (tx) => {
    // Prefer Meta's message id; the callback data (our row id) finds rows whose send is not yet recorded.
    const row =
      (await tx.notification.findFirst({ where: { shop, waMessageId: update.id } })) ??
      (update.biz_opaque_callback_data
        ? await tx.notification.findFirst({ where: { shop, id: update.biz_opaque_callback_data, OR: [{ waMessageId: null }, { waMessageId: update.id }] } })
        : null);
    // Unknown: not recorded as received, so Meta's retry can still apply it once the row exists.
    if (!row) return { outcome: "unknown_message" as const };

    const inserted = await tx.$executeRaw`
      INSERT INTO "WebhookReceipt" ("eventId", shop, topic, "triggeredAt")
      VALUES (${`wa:status:${update.id}:${update.status}`}, ${shop}, ${"whatsapp/statuses"}, ${at})
      ON CONFLICT ("eventId") DO NOTHING`;
    if (inserted === 0) return { outcome: "duplicate" as const };

    const detail: Prisma.InputJsonValue = { waMessageId: update.id, ...(error ? { code: error.code, title: error.title ?? null } : {}) };
    const event = { shop, notificationId: row.id, kind: update.status, detail, at };

    if (update.status === "failed" && error?.code === MARKETING_LIMIT && row.status === "sent") {
      // 131049 arrives as a failed status: Meta asks for a retry no sooner than 24 h later.
      const until = new Date(at.getTime() + MARKETING_LIMIT_WAIT_MS);
      if (!row.expiresAt || until < row.expiresAt) {
        await tx.notification.update({
          where: { id: row.id },
          data: {
            status: "scheduled", sendAt: until, waMessageId: null, sentAt: null, leaseOwner: null, leaseUntil: null,
            decision: "defer", decisionReason: "meta_marketing_limit", errorCode: error.code, errorTitle: error.title ?? null,
          },
        });
        await tx.notificationEvent.create({ data: { ...event, kind: "retry_scheduled", detail: { ...detail as object, until: until.toISOString() } } });
        return { outcome: "applied" as const, row, error };
      }
    }

    const data: Prisma.NotificationUpdateManyMutationInput = { status: update.status as NotificationStatus, waMessageId: update.id };
    if (update.status === "sent") data.sentAt = row.sentAt ?? at;
    if (update.status === "delivered") {
      data.deliveredAt = at;
      data.sentAt = row.sentAt ?? at;
    }
    if (update.status === "read") {
      data.readAt = at;
      data.deliveredAt = row.deliveredAt ?? at;
      data.sentAt = row.sentAt ?? at;
    }
    if (update.status === "failed") {
      const typed = error ? new WhatsAppApiError({ code: error.code, title: error.title ?? "failed", httpStatus: 200 }) : null;
      Object.assign(data, {
        failedAt: at,
        errorCode: error?.code ?? null,
        errorTitle: error?.title ?? null,
        errorDetails: error?.error_data?.details ?? error?.message ?? null,
        decisionReason: typed?.merchantReason ?? "WhatsApp reported the message as failed.",
      });
    }
    const changed = await tx.notification.updateMany({ where: { id: row.id, shop, status: { in: replaces } }, data });
    if (changed.count === 0) return { outcome: "stale" as const };
    await tx.notificationEvent.create({ data: event });
    return { outcome: "applied" as const, row, error };
  });

  // Subscriber-level consequences of a failure, after the status itself is safely recorded.
  if (result.outcome === "applied" && "row" in result && result.row?.subscriberId && result.error) {
    if (result.error.code === MARKETING_STOPPED) await recordMarketingStopped(shop, result.row.subscriberId, at, update.id);
    if (result.error.code === MARKETING_LIMIT) await recordMarketingLimited(shop, result.row.subscriberId, at);
  }
  return result.outcome;
}
