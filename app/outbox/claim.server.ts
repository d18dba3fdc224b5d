import { Prisma } from "@prisma/client";
import prisma, { sqlQuery } from "../db.server";
import type { ClaimedNotification } from "./types";

/**
 * The dispatcher's SQL, in one place. Rows are claimed with FOR UPDATE SKIP LOCKED and marked
 * `sending` under a lease in the same statement, so any number of dispatchers share the outbox
 * through PostgreSQL row locks alone. Every later write is guarded by the lease owner: a worker
 * that stalled past its lease (and whose rows another worker took over) cannot overwrite them.
 * Each write appends the matching NotificationEvent in the same statement, so the row and its
 * timeline never disagree. See docs/decisions/004-outbox-delivery.md.
 */

/**
 * Claims up to `limit` due rows: scheduled ones whose time has come, and leases left by dead
 * workers, returned oldest due first. UPDATE … RETURNING comes back in whatever order the join
 * produced, not the subquery's, so the order is restated outside it: the dispatcher handles a
 * batch in this order, and the gate's caps and tier go to the messages that were due first.
 * Only the columns the dispatcher reads come back (ClaimedNotification).
 */
export async function claimDue(owner: string, limit: number, leaseMs: number, now: Date): Promise<ClaimedNotification[]> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  return prisma.$queryRaw<ClaimedNotification[]>`
    WITH claimed AS (
      UPDATE "Notification" SET status = 'sending', "leaseOwner" = ${owner}, "leaseUntil" = ${leaseUntil},
             "updatedAt" = ${now}
       WHERE id IN (
         SELECT id FROM "Notification"
          WHERE (status = 'scheduled' AND "sendAt" <= ${now})
             OR (status = 'sending' AND "leaseUntil" < ${now})
          ORDER BY "sendAt", id
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
      RETURNING id, shop, flow, "subscriberId", status, "sendAt", "expiresAt", "templateName", "templateLanguage",
                params, attempts, "cartToken", "variantId", "orderId", "campaignId", "leaseOwner", "leaseUntil")
    SELECT * FROM claimed ORDER BY "sendAt", id`;
}

const detailJson = (detail: Record<string, unknown>) => JSON.stringify(detail);

export interface SentResult {
  waMessageId: string;
  /** The WhatsApp id Meta resolved for the recipient (the send answer's contacts[0].wa_id) */
  waId?: string | null;
  at: Date;
}

/**
 * WhatsApp accepted the message. A status webhook may already have moved the row on (it can
 * outrun this write), so a row already sent/delivered/read keeps its status.
 */
export async function markSent(id: string, owner: string, result: SentResult): Promise<boolean> {
  const detail = detailJson({ waMessageId: result.waMessageId });
  const count = await prisma.$executeRaw`
    WITH u AS (
      UPDATE "Notification"
         SET status = CASE WHEN status = 'sending' THEN 'sent'::"NotificationStatus" ELSE status END,
             "waMessageId" = ${result.waMessageId}, "recipientWaId" = COALESCE(${result.waId ?? null}, "recipientWaId"), "sentAt" = COALESCE("sentAt", ${result.at}),
             attempts = attempts + 1, decision = 'send', "decisionReason" = NULL,
             "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = ${result.at}
       WHERE id = ${id} AND "leaseOwner" = ${owner} AND status IN ('sending', 'sent', 'delivered', 'read')
       RETURNING id, shop)
    INSERT INTO "NotificationEvent" (id, shop, "notificationId", kind, detail, at)
    SELECT gen_random_uuid()::text, u.shop, u.id, 'sent', ${detail}::jsonb, ${result.at} FROM u`;
  return count > 0;
}

export interface SentRow extends SentResult {
  id: string;
  /** The language WhatsApp was asked to send (it may be the shopper's rather than the planned one) */
  language: string;
}

/**
 * markSent for many rows in one statement (same guards, same event per row). Resolves to the ids
 * it recorded; a row missing from it had lost its lease. Runs once per handful of sends, so it
 * goes to the driver directly (sqlQuery) rather than through Prisma.
 *
 * The rows are locked in id order before they are written. Status webhooks for the same rows are
 * applied in groups too (delivery-statuses.server.ts), and lock theirs in the same
 * order, so the two never wait on each other in a cycle (a deadlock would cost both a second).
 */
export async function markSentMany(rows: SentRow[], owner: string): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const ids = rows.map((r) => r.id);
  const waIds = rows.map((r) => r.waMessageId);
  const recipients = rows.map((r) => r.waId ?? null);
  // Timestamps travel as ISO text: columns are UTC timestamp(3) without time zone.
  const ats = rows.map((r) => r.at.toISOString());
  const languages = rows.map((r) => r.language);
  const done = await sqlQuery<{ id: string; shop: string; subscriberId: string | null; recipient: string | null }>(Prisma.sql`
    WITH v AS (
      SELECT v.id, v.wa, v.recipient, v.lang, (v.at::timestamptz AT TIME ZONE 'UTC')::timestamp(3) AS at
        FROM unnest(${ids}::text[], ${waIds}::text[], ${recipients}::text[], ${ats}::text[], ${languages}::text[]) AS v(id, wa, recipient, at, lang)),
    held AS (SELECT n.id FROM "Notification" n WHERE n.id = ANY(${ids}::text[]) ORDER BY n.id FOR NO KEY UPDATE),
    u AS (
      UPDATE "Notification" n
         SET status = CASE WHEN n.status = 'sending' THEN 'sent'::"NotificationStatus" ELSE n.status END,
             "waMessageId" = v.wa, "recipientWaId" = COALESCE(v.recipient, n."recipientWaId"),
             "sentAt" = COALESCE(n."sentAt", v.at), "templateLanguage" = v.lang,
             attempts = n.attempts + 1, decision = 'send', "decisionReason" = NULL,
             "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = v.at
        FROM v
       WHERE n.id = v.id AND n.id IN (SELECT id FROM held)
         AND n."leaseOwner" = ${owner} AND n.status IN ('sending', 'sent', 'delivered', 'read')
       RETURNING n.id, n.shop, n."subscriberId", v.wa, v.recipient, v.at),
    e AS (
      INSERT INTO "NotificationEvent" (id, shop, "notificationId", kind, detail, at)
      SELECT gen_random_uuid()::text, u.shop, u.id, 'sent', jsonb_build_object('waMessageId', u.wa), u.at FROM u)
    SELECT id, shop, "subscriberId", recipient FROM u`);
  await rememberRecipientWaIds(done);
  return new Set(done.map((r) => r.id));
}

/**
 * The subscriber keeps the latest wa_id Meta resolved for their number where it is not simply the
 * number's digits (Brazil's ninth digit, Mexico's "1"): replies are matched on it first, and a
 * null means the digits are the wa_id. So almost no send writes here, only a changed exception.
 * Its own statement, after the rows' is committed: a consent change locks the subscriber and
 * then their messages, so taking the two in one transaction here could wait on it in a cycle.
 */
async function rememberRecipientWaIds(rows: Array<{ shop: string; subscriberId: string | null; recipient: string | null }>) {
  const known = rows.filter((r) => r.subscriberId && r.recipient);
  if (known.length === 0) return;
  await sqlQuery(Prisma.sql`
    UPDATE "Subscriber" s SET "waId" = NULLIF(k.recipient, ltrim(s.phone, '+'))
      FROM (SELECT DISTINCT ON (shop, id) shop, id, recipient
              FROM unnest(${known.map((r) => r.shop)}::text[], ${known.map((r) => r.subscriberId)}::text[], ${known.map((r) => r.recipient)}::text[])
                AS k(shop, id, recipient)) k
     WHERE s.shop = k.shop AND s.id = k.id AND s."waId" IS DISTINCT FROM NULLIF(k.recipient, ltrim(s.phone, '+'))`);
}

export interface FailureRecord {
  /** Merchant-readable explanation */
  reason: string;
  errorCode?: number | null;
  errorTitle?: string | null;
  errorDetails?: string | null;
  at: Date;
}

/** A permanent error: the row ends as failed, with WhatsApp's words kept for the merchant. */
export async function markFailed(id: string, owner: string, failure: FailureRecord): Promise<boolean> {
  const detail = detailJson({ reason: failure.reason, code: failure.errorCode ?? null, title: failure.errorTitle ?? null });
  const count = await prisma.$executeRaw`
    WITH u AS (
      UPDATE "Notification"
         SET status = 'failed', "failedAt" = ${failure.at}, attempts = attempts + 1,
             decision = 'send', "decisionReason" = ${failure.reason},
             "errorCode" = ${failure.errorCode ?? null}, "errorTitle" = ${failure.errorTitle ?? null},
             "errorDetails" = ${failure.errorDetails ?? null},
             "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = ${failure.at}
       WHERE id = ${id} AND "leaseOwner" = ${owner} AND status = 'sending'
       RETURNING id, shop)
    INSERT INTO "NotificationEvent" (id, shop, "notificationId", kind, detail, at)
    SELECT gen_random_uuid()::text, u.shop, u.id, 'failed', ${detail}::jsonb, ${failure.at} FROM u`;
  return count > 0;
}

export interface Deferral {
  until: Date;
  reason: string;
  at: Date;
  /** A failed send attempt being retried (counts towards the retry limit) rather than a gate wait */
  retry?: { errorCode?: number | null; errorTitle?: string | null };
}

/** Back to the schedule at a later time: the gate said wait, or a transient error will be retried. */
export async function defer(id: string, owner: string, deferral: Deferral): Promise<boolean> {
  const kind = deferral.retry ? "retry_scheduled" : "deferred";
  const increment = deferral.retry ? 1 : 0;
  const detail = detailJson({
    reason: deferral.reason,
    until: deferral.until.toISOString(),
    ...(deferral.retry ? { code: deferral.retry.errorCode ?? null, title: deferral.retry.errorTitle ?? null } : {}),
  });
  const count = await prisma.$executeRaw`
    WITH u AS (
      UPDATE "Notification"
         SET status = 'scheduled', "sendAt" = ${deferral.until}, attempts = attempts + ${increment},
             decision = 'defer', "decisionReason" = ${deferral.reason},
             "errorCode" = COALESCE(${deferral.retry?.errorCode ?? null}::int, "errorCode"),
             "errorTitle" = COALESCE(${deferral.retry?.errorTitle ?? null}, "errorTitle"),
             "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = ${deferral.at}
       WHERE id = ${id} AND "leaseOwner" = ${owner} AND status = 'sending'
       RETURNING id, shop)
    INSERT INTO "NotificationEvent" (id, shop, "notificationId", kind, detail, at)
    SELECT gen_random_uuid()::text, u.shop, u.id, ${kind}, ${detail}::jsonb, ${deferral.at} FROM u`;
  return count > 0;
}

/** The gate said no: the row ends as skipped, with the reason. */
export async function skip(id: string, owner: string, reason: string, at: Date): Promise<boolean> {
  const detail = detailJson({ reason });
  const count = await prisma.$executeRaw`
    WITH u AS (
      UPDATE "Notification"
         SET status = 'skipped', decision = 'skip', "decisionReason" = ${reason},
             "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = ${at}
       WHERE id = ${id} AND "leaseOwner" = ${owner} AND status = 'sending'
       RETURNING id, shop)
    INSERT INTO "NotificationEvent" (id, shop, "notificationId", kind, detail, at)
    SELECT gen_random_uuid()::text, u.shop, u.id, 'skipped', ${detail}::jsonb, ${at} FROM u`;
  return count > 0;
}

/** Hands claimed rows back untouched (a stopping dispatcher): they are due again at once. */
export async function release(ids: string[], owner: string, at: Date): Promise<number> {
  if (ids.length === 0) return 0;
  return prisma.$executeRaw`
    UPDATE "Notification" SET status = 'scheduled', "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = ${at}
     WHERE id = ANY(${ids}::text[]) AND "leaseOwner" = ${owner} AND status = 'sending'`;
}
