import { Prisma } from "@prisma/client";
import { carried, leaveFlag, type Carried } from "../db/carried.server";
import prisma from "../db.server";
import { commitDelivery } from "./group-commit.server";
import { sqlTimestamp } from "./sql.server";
import type { WebhookHandler, WebhookMeta } from "./webhook-handler";

/**
 * A delivery's receipt and its writes: the receipt dedupes Shopify's at-least-once deliveries by
 * event id, and the topic's writes are applied only with a first receipt, in its transaction.
 * https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates
 */
export type Outcome = "applied" | "duplicate" | "not_installed" | "ignored";

interface ReceiptRow {
  inserted: number;
  installed: boolean;
}

/** Raised by the receipt statement for a first delivery to an installed shop. */
const RECEIVED: Carried<boolean> = carried("webhook_received");

/**
 * The installed-shop check and the receipt are one statement: one round trip, and an
 * app/uninstalled committed before it is seen (the check runs in the same snapshot as the write).
 * It leaves RECEIVED for the statements of the delivery that follow it.
 */
function receiptStatement(handler: WebhookHandler<unknown>, meta: WebhookMeta): Prisma.Sql {
  return Prisma.sql`
    WITH s AS (SELECT status FROM "Shop" WHERE shop = ${meta.shop}),
    ok AS (SELECT CAST(${!handler.requiresInstalledShop} AS boolean) OR EXISTS (SELECT 1 FROM s WHERE status = 'installed') AS installed),
    r AS (INSERT INTO "WebhookReceipt" ("eventId", shop, topic, "triggeredAt")
          SELECT ${meta.eventId}, ${meta.shop}, ${meta.topic}, ${sqlTimestamp(meta.triggeredAt)}
           WHERE (SELECT installed FROM ok)
          ON CONFLICT ("eventId") DO NOTHING
          RETURNING 1)
    SELECT CAST((SELECT count(*) FROM r) AS integer) AS inserted, (SELECT installed FROM ok) AS installed,
           ${leaveFlag(RECEIVED, Prisma.sql`EXISTS (SELECT 1 FROM r)`)} AS received`;
}

const outcomeOf = (row: ReceiptRow): Outcome => (!row.installed ? "not_installed" : row.inserted === 0 ? "duplicate" : "applied");

/** Records the delivery's receipt and, for a first delivery, applies its writes. */
export async function recordDelivery<T>(handler: WebhookHandler<T>, meta: WebhookMeta, payload: T): Promise<{ outcome: Outcome; reason?: string }> {
  if ("pipelined" in handler) {
    const { lockKey, statements } = handler.pipelined;
    const writes = statements(meta, payload, RECEIVED);
    const [[row]] = (await commitDelivery({ key: `${meta.shop} ${lockKey(payload)}`, statements: [receiptStatement(handler, meta), ...writes] })) as [ReceiptRow[]];
    return { outcome: outcomeOf(row) };
  }
  const { skip } = handler;
  return prisma.$transaction(async (tx) => {
    const reason = skip ? await skip(tx, meta, payload) : null;
    if (reason) return { outcome: "ignored" as const, reason };
    const [row] = await tx.$queryRaw<ReceiptRow[]>(receiptStatement(handler, meta));
    const outcome = outcomeOf(row);
    if (outcome === "applied") await handler.apply(tx, meta, payload);
    return { outcome };
  });
}
