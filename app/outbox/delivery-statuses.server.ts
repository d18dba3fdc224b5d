import { Prisma } from "@prisma/client";
import { sqlRows } from "../db.server";
import { groupedWrites } from "../shared/grouped-writes";
import { errorFields, log } from "../shared/log.server";

/**
 * Message statuses (sent, delivered, read, failed) recorded on the outbox's rows. app/whatsapp
 * parses Meta's status webhooks into DeliveryStatus values and calls recordDeliveryStatus; this
 * module holds the statement that writes them. Meta delivers at least once and out of order, so
 * each status is recorded once (WebhookReceipt) and a status never moves backwards:
 * read > delivered > sent. A failure after delivery is ignored.
 *
 * Meta sends three statuses per message, each as its own POST, within seconds of the send: at a
 * thousand messages a second that is three thousand deliveries a second. So the statuses that
 * arrive while one write runs are applied together by the next, as one statement (see
 * docs/decisions/004-outbox-delivery.md, "Status webhooks").
 */
export type StatusOutcome = "applied" | "duplicate" | "stale" | "unknown_message" | "ignored";

/** One status as the statement reads it (jsonb_to_recordset, so the keys are its columns). */
interface StatusParam extends DeliveryStatus {
  i: number;
}

/** A status Meta reported for a message, as the outbox records it. */
export interface DeliveryStatus {
  phone: string;
  wa: string;
  cb: string | null;
  status: string;
  /** RANK; 0 for failed, which replaces only sending and sent */
  rank: number;
  at: string;
  /** A failure after which the message may be tried again (131049): when */
  until: string | null;
  code: number | null;
  title: string | null;
  details: string | null;
  reason: string | null;
  detail: Record<string, unknown>;
  retry: Record<string, unknown> | null;
}

interface StatusRow {
  i: number;
  outcome: StatusOutcome | "again";
  shop: string | null;
  subscriberId: string | null;
}

type Applied = StatusRow & { outcome: StatusOutcome };

/**
 * A failure that names when to try again (Meta's per-user marketing limit, 131049) for a row
 * already sent: back on the schedule at that time, unless the message expires first.
 */
const RESCHEDULE = Prisma.sql`(f.status = 'failed' AND f.until IS NOT NULL AND n.status = 'sent'
  AND (n."expiresAt" IS NULL OR f.until < n."expiresAt"))`;

/**
 * Applies a group of statuses in one statement (one round trip, one transaction):
 * - each status finds its shop by the reporting phone number, and its row by Meta's message id,
 *   else by the callback data (our row id) of a row whose send is not recorded yet;
 * - a row found by two statuses of the group takes the first; the others come back as `again`
 *   for the next group (one UPDATE changes a row once);
 * - the rows are locked in id order before anything is changed, as the dispatcher's grouped
 *   write does (claim.server.ts markSentMany), so two grouped writes never deadlock;
 * - the receipt is recorded for every status whose row exists (an unknown message is not, so a
 *   retry can still apply it once the row exists); a receipt already there is a duplicate;
 * - the update is guarded on the locked, newest version of the row: forward only, and only while
 *   the row carries this message id or none;
 * - each change appends its NotificationEvent;
 * - a duplicate of a failure that was applied (its NotificationEvent is there) names its shop and
 *   subscriber too, for the consequences below.
 */
function statusStatement(params: StatusParam[], now: Date) {
  return Prisma.sql`
    WITH v AS (
      SELECT v.i, v.phone, v.wa, v.cb, v.status, v.rank, v.code, v.title, v.details, v.reason, v.detail, v.retry,
             (CAST(v.at AS timestamptz) AT TIME ZONE 'UTC')::timestamp(3) AS at,
             (CAST(v.until AS timestamptz) AT TIME ZONE 'UTC')::timestamp(3) AS until
        FROM jsonb_to_recordset(CAST(${JSON.stringify(params)} AS jsonb))
          AS v(i int, phone text, wa text, cb text, status text, rank int, at text, until text,
               code int, title text, details text, reason text, detail jsonb, retry jsonb)),
    found AS (
      SELECT v.*, c.shop, t.id AS nid, row_number() OVER (PARTITION BY t.id ORDER BY v.i) AS nth
        FROM v
        JOIN "WhatsAppConnection" c ON c."phoneNumberId" = v.phone
        CROSS JOIN LATERAL (
          (SELECT n.id FROM "Notification" n WHERE n."waMessageId" = v.wa AND n.shop = c.shop)
          UNION ALL
          (SELECT n.id FROM "Notification" n
            WHERE n.id = v.cb AND n.shop = c.shop AND (n."waMessageId" IS NULL OR n."waMessageId" = v.wa))
          LIMIT 1) t),
    m AS (SELECT * FROM found WHERE nth = 1),
    held AS (SELECT n.id FROM "Notification" n WHERE n.id IN (SELECT nid FROM m) ORDER BY n.id FOR NO KEY UPDATE),
    r AS (
      INSERT INTO "WebhookReceipt" ("eventId", shop, topic, "triggeredAt")
      SELECT 'wa:status:' || m.wa || ':' || m.status, m.shop, 'whatsapp/statuses', m.at FROM m
      ON CONFLICT ("eventId") DO NOTHING
      RETURNING "eventId"),
    f AS (SELECT m.* FROM m WHERE 'wa:status:' || m.wa || ':' || m.status IN (SELECT "eventId" FROM r)),
    u AS (
      UPDATE "Notification" n
         SET status = CASE WHEN ${RESCHEDULE} THEN 'scheduled'::"NotificationStatus" ELSE f.status::"NotificationStatus" END,
             "waMessageId" = CASE WHEN ${RESCHEDULE} THEN NULL ELSE f.wa END,
             "sentAt" = CASE WHEN ${RESCHEDULE} THEN NULL WHEN f.status = 'failed' THEN n."sentAt" ELSE COALESCE(n."sentAt", f.at) END,
             "deliveredAt" = CASE f.status WHEN 'delivered' THEN f.at WHEN 'read' THEN COALESCE(n."deliveredAt", f.at) ELSE n."deliveredAt" END,
             "readAt" = CASE WHEN f.status = 'read' THEN f.at ELSE n."readAt" END,
             "failedAt" = CASE WHEN f.status = 'failed' AND NOT ${RESCHEDULE} THEN f.at ELSE n."failedAt" END,
             "errorCode" = CASE WHEN f.status = 'failed' THEN f.code ELSE n."errorCode" END,
             "errorTitle" = CASE WHEN f.status = 'failed' THEN f.title ELSE n."errorTitle" END,
             "errorDetails" = CASE WHEN f.status = 'failed' AND NOT ${RESCHEDULE} THEN f.details ELSE n."errorDetails" END,
             "decisionReason" = CASE WHEN ${RESCHEDULE} THEN 'meta_marketing_limit' WHEN f.status = 'failed' THEN f.reason ELSE n."decisionReason" END,
             decision = CASE WHEN ${RESCHEDULE} THEN 'defer' ELSE n.decision END,
             "sendAt" = CASE WHEN ${RESCHEDULE} THEN f.until ELSE n."sendAt" END,
             "leaseOwner" = CASE WHEN ${RESCHEDULE} THEN NULL ELSE n."leaseOwner" END,
             "leaseUntil" = CASE WHEN ${RESCHEDULE} THEN NULL ELSE n."leaseUntil" END,
             "updatedAt" = (CAST(${now.toISOString()} AS timestamptz) AT TIME ZONE 'UTC')
        FROM f
       WHERE n.id = f.nid AND n.id IN (SELECT id FROM held)
         AND (n."waMessageId" IS NULL OR n."waMessageId" = f.wa)
         AND CASE WHEN f.status = 'failed' THEN n.status IN ('sending', 'sent')
                  ELSE (CASE n.status WHEN 'sending' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 END) < f.rank END
      RETURNING f.i, n.id, n.shop, n."subscriberId", n.status = 'scheduled' AS rescheduled, f.status AS kind, f.detail, f.retry, f.at),
    e AS (
      INSERT INTO "NotificationEvent" (id, shop, "notificationId", kind, detail, at)
      SELECT gen_random_uuid()::text, u.shop, u.id,
             CASE WHEN u.rescheduled THEN 'retry_scheduled' ELSE u.kind END,
             CASE WHEN u.rescheduled THEN u.retry ELSE u.detail END, u.at
        FROM u)
    SELECT v.i,
           CASE WHEN u.i IS NOT NULL THEN 'applied' WHEN f.i IS NOT NULL THEN 'stale' WHEN m.i IS NOT NULL THEN 'duplicate'
                WHEN found.i IS NOT NULL THEN 'again' ELSE 'unknown_message' END AS outcome,
           COALESCE(u.shop, d.shop) AS shop, COALESCE(u."subscriberId", d."subscriberId") AS "subscriberId"
      FROM v
      LEFT JOIN found ON found.i = v.i
      LEFT JOIN m ON m.i = v.i
      LEFT JOIN f ON f.i = v.i
      LEFT JOIN u ON u.i = v.i
      LEFT JOIN "Notification" d ON d.id = m.nid AND d.shop = m.shop AND f.i IS NULL AND m.status = 'failed'
        AND EXISTS (SELECT 1 FROM "NotificationEvent" e
                     WHERE e."notificationId" = m.nid AND e.shop = m.shop AND e.kind IN ('failed', 'retry_scheduled')
                       AND e.detail->>'waMessageId' = m.wa)`;
}

interface Waiting {
  param: DeliveryStatus;
  resolve: (row: Applied) => void;
  reject: (error: unknown) => void;
}

/** Statuses per statement: a few hundred keep it well under a megabyte and a few milliseconds. */
const MAX_GROUP = 250;

async function run(group: Waiting[]): Promise<StatusRow[]> {
  const rows = await sqlRows<StatusRow>(statusStatement(group.map((w, i) => ({ ...w.param, i })), new Date()));
  const byIndex: StatusRow[] = [];
  for (const row of rows) byIndex[Number(row.i)] = row;
  return group.map((_, i) => byIndex[i] ?? { i, outcome: "unknown_message", shop: null, subscriberId: null });
}

/**
 * Groups statuses like the dispatcher's sent recorder (groupedWrites): while one statement runs,
 * the statuses that arrive queue up and go together in the next; a lone status is written at
 * once. A group that fails (a status PostgreSQL refuses, a deadlock with a write elsewhere, a
 * dropped connection) is tried again status by status, so one bad status fails only its own
 * delivery.
 */
function createStatusWriter() {
  async function write(group: Waiting[]): Promise<Waiting[]> {
    let rows: StatusRow[];
    try {
      rows = await run(group);
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return [];
      }
      log.error("whatsapp statuses: a group failed; applying them one by one", { size: group.length, error: errorFields(error) });
      for (const waiting of group) {
        try {
          // Alone, a status always finds its row first.
          const [row] = await run([waiting]);
          waiting.resolve(row as Applied);
        } catch (alone) {
          waiting.reject(alone);
        }
      }
      return [];
    }
    // Statuses that found a row another status of the group had: first in the next group.
    const again: Waiting[] = [];
    group.forEach((waiting, i) => (rows[i].outcome === "again" ? again.push(waiting) : waiting.resolve(rows[i] as Applied)));
    return again;
  }

  const enqueue = groupedWrites(write, MAX_GROUP);
  return (param: DeliveryStatus) => new Promise<Applied>((resolve, reject) => enqueue({ param, resolve, reject }));
}

let writer: ReturnType<typeof createStatusWriter> | undefined;

/**
 * Records one status on its message; resolves once it is committed, with what became of it and,
 * for an applied or repeated failure, whose message it was.
 */
export function recordDeliveryStatus(status: DeliveryStatus): Promise<Applied> {
  writer ??= createStatusWriter();
  return writer(status);
}

