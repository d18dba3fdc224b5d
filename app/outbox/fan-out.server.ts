import { Prisma } from "@prisma/client";
import prisma, { type Db } from "../db.server";

/**
 * One message to many shoppers as one INSERT ... SELECT (a restock, a campaign launch): the set
 * of recipients is the flow's, the rows are the outbox's. Every row gets what
 * scheduleNotifications gives a planned message: for the control group the held_out status and
 * its HoldoutAssignment. No event is written for the planning itself: a row's creation time is
 * when it was planned (the message timeline shows it from there). See
 * docs/decisions/016-back-in-stock-fan-out.md for why a fan-out is one statement rather than a
 * loop of inserts.
 */
export interface FanOut {
  shop: string;
  flow: "back_in_stock" | "promotion";
  /**
   * The recipients as WITH-list entries ending in one named `keyed`, with the columns
   * id (the row's id), subscriber_id, dedup_key and held_out (boolean).
   */
  recipients: Prisma.Sql;
  /** The row's template parameters as a jsonb expression over keyed's columns */
  params: Prisma.Sql;
  sendAt: Date;
  expiresAt: Date | null;
  templateName: string;
  templateLanguage: string;
  variantId?: string | null;
  campaignId?: string | null;
  /** Where a derived link token of the row leads (its TrackedLink row is made on the first tap) */
  linkDestination?: string | null;
  /** A row whose (shop, dedupKey) exists is skipped; otherwise the statement fails on it */
  skipExisting: boolean;
  /**
   * Further WITH-list entries that write the flow's own tables from `keyed` or from `inserted`
   * (id, "dedupKey", "subscriberId", status): requests marked notified, tracked links.
   */
  alongside?: Prisma.Sql;
  now: Date;
}

export interface FanOutCounts {
  scheduled: number;
  heldOut: number;
}

export async function fanOutNotifications(f: FanOut, db: Db = prisma): Promise<FanOutCounts> {
  const { shop, now } = f;
  const rows = await db.$queryRaw<Array<{ scheduled: number; held_out: number }>>`
    WITH ${f.recipients},
    inserted AS (
      INSERT INTO "Notification" (id, shop, flow, "dedupKey", "subscriberId", status, "sendAt", "expiresAt",
                                  "templateName", "templateLanguage", params, step, "variantId", "campaignId",
                                  decision, "decisionReason", "linkDestination", "createdAt", "updatedAt")
      SELECT id, ${shop}, ${f.flow}::"Flow", dedup_key, subscriber_id,
             (CASE WHEN held_out THEN 'held_out' ELSE 'scheduled' END)::"NotificationStatus",
             ${f.sendAt}, ${f.expiresAt}, ${f.templateName}, ${f.templateLanguage}, ${f.params},
             0, ${f.variantId ?? null}, ${f.campaignId ?? null},
             CASE WHEN held_out THEN 'skip' END, CASE WHEN held_out THEN 'holdout' END, ${f.linkDestination ?? null}, ${now}, ${now}
        FROM keyed
      ${f.skipExisting ? Prisma.sql`ON CONFLICT (shop, "dedupKey") DO NOTHING` : Prisma.empty}
      RETURNING id, "dedupKey", "subscriberId", status
    ), holdouts AS (
      INSERT INTO "HoldoutAssignment" (id, shop, flow, "subscriberId", "dedupKey", "assignedAt")
      SELECT gen_random_uuid()::text, ${shop}, ${f.flow}::"Flow", "subscriberId", "dedupKey", ${now}
        FROM inserted WHERE status = 'held_out'
      ON CONFLICT (shop, "dedupKey") DO NOTHING
    )${f.alongside ? Prisma.sql`, ${f.alongside}` : Prisma.empty}
    SELECT (SELECT count(*) FROM inserted WHERE status = 'scheduled')::int AS scheduled,
           (SELECT count(*) FROM inserted WHERE status = 'held_out')::int AS held_out`;
  return { scheduled: rows[0].scheduled, heldOut: rows[0].held_out };
}
