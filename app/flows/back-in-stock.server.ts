import { Prisma } from "@prisma/client";
import prisma, { type Db, allowLongStatements, databaseKind } from "../db.server";
import { env } from "../env.server";
import { planRestock, type RestockEvent, type RestockFanOut } from "./back-in-stock";
import { loadFlowSetting } from "./flow-settings.server";
import { fanOutNotifications } from "../outbox/fan-out.server";
import type { StoredTemplateParams } from "../outbox/types";

export interface RestockOutcome {
  skipped?: string;
  scheduled: number;
  heldOut: number;
  notified: number;
  rewaited: number;
}

/** Handles flows.variant_restocked: decide from current state, then fan out in SQL. */
export async function notifyRestock(shop: string, event: RestockEvent, now: Date): Promise<RestockOutcome> {
  const variant = await prisma.variant.findUnique({ where: { shop_id: { shop, id: event.variantId } } });
  const product = variant
    ? await prisma.product.findUnique({ where: { shop_id: { shop, id: variant.productId } } })
    : null;
  const catalog = variant
    ? {
        productTitle: product?.title ?? variant.title ?? "",
        variantTitle: variant.title,
        handle: product?.handle ?? null,
        currentlySellable:
          !variant.inventoryTracked || variant.inventoryPolicy === "continue" || (variant.available ?? 0) > 0,
      }
    : null;
  const setting = await loadFlowSetting(shop, "back_in_stock");
  const decision = planRestock({ shop, event, catalog, setting, now });
  if ("skip" in decision) return { skipped: decision.skip, scheduled: 0, heldOut: 0, notified: 0, rewaited: 0 };
  const f = decision.fanOut;
  const rewaited = Number(await rewaitSoldOutRequests(shop, f.variantId, prisma));
  // "The oldest N" is one ordered pick, so a limited restock is one part; otherwise the waiting
  // requests split by a hash of their id, each part its own connection and transaction. A part
  // that fails leaves the others committed: the task's retry finds only the requests still
  // waiting, and a request already handled for this restock is never picked again.
  const parts = f.limit === null && databaseKind() === "postgres" ? env().FANOUT_PARALLELISM : 1;
  const outcomes = await Promise.all(
    Array.from({ length: parts }, (_, part) =>
      prisma.$transaction(
        async (tx) => {
          await allowLongStatements(tx);
          return fanOutRestock(shop, f, now, tx, { part, of: parts });
        },
        { timeout: 60_000 },
      ),
    ),
  );
  return outcomes.reduce(
    (sum, o) => ({ scheduled: sum.scheduled + o.scheduled, heldOut: sum.heldOut + o.heldOut, notified: sum.notified + o.notified, rewaited }),
    { scheduled: 0, heldOut: 0, notified: 0, rewaited },
  );
}

/** One of `of` disjoint shares of a variant's waiting requests (by a hash of the request id) */
export interface FanOutPart {
  part: number;
  of: number;
}

/** What every message of a restock carries: the planner's body, the link token in URL button 0. */
export function restockParams(f: Pick<RestockFanOut, "body">): StoredTemplateParams {
  return { body: f.body, buttons: [{ index: 0, type: "url", derivedLinkToken: true }] };
}

/**
 * The fan-out as set-based SQL: one statement picks the waiting requests (oldest first, up to
 * the limit), has the outbox insert their notifications (control group marked held_out) and
 * control-group rows, and marks the requests notified. A request already handled for this restock is never
 * picked again, so a replayed restock adds nothing and no insert can meet its own dedup key;
 * FOR UPDATE SKIP LOCKED keeps two concurrent restocks from picking the same request.
 *
 * The holdout bucket is the SQL twin of holdoutBucket (holdout.ts); the fan-out test checks they
 * agree. Every row gets the same parameters: the button's suffix is the notification's derived
 * link token (its id plus a MAC), minted when the message is sent, and its link row is made
 * from linkDestination on the first tap (docs/decisions/014-tracked-links-on-first-click.md).
 * Why it is shaped this way: docs/decisions/016-back-in-stock-fan-out.md.
 */
export async function fanOutRestock(
  shop: string,
  f: RestockFanOut,
  now: Date,
  db: Db = prisma,
  { part, of }: FanOutPart = { part: 0, of: 1 },
): Promise<Omit<RestockOutcome, "rewaited">> {
  // LIMIT NULL is LIMIT ALL in PostgreSQL.
  const limit = f.limit === null ? null : BigInt(f.limit);
  const params = restockParams(f);
  // A restock usually follows a bulk of new requests the statistics have not seen yet; the
  // planner then guesses "one row" and nests loops over 100k x 100k. Hash joins are always
  // right for a fan-out, so nested loops are off for this transaction only, and the sort and
  // hashes of 100k rows get the memory to stay off disk.
  await db.$queryRaw`SELECT set_config('enable_nestloop', 'off', true), set_config('work_mem', '64MB', true)`;
  const { scheduled, heldOut } = await fanOutNotifications(
    {
      shop,
      flow: "back_in_stock",
      recipients: Prisma.sql`
        picked AS (
          SELECT r.id AS request_id, r."subscriberId" AS subscriber_id
            FROM "BackInStockRequest" r
            JOIN "Subscriber" s ON s.id = r."subscriberId" AND s.shop = r.shop
           WHERE r.shop = ${shop} AND r."variantId" = ${f.variantId} AND r.status = 'waiting'
             AND r."restockId" IS DISTINCT FROM ${f.restockId}
             AND (${of}::int = 1 OR (hashtext(r.id) & 2147483647) % ${of}::int = ${part}::int)
             AND s.status = 'subscribed' AND s.scope = 'marketing' AND s."marketingStoppedAt" IS NULL
           ORDER BY r."createdAt", r.id
           LIMIT ${limit}
           FOR UPDATE OF r SKIP LOCKED
        ), keyed AS (
          SELECT request_id, subscriber_id,
                 'back_in_stock:' || request_id || ':' || ${f.restockId} AS dedup_key,
                 -- 32 hex, from the (shop, dedupKey) that makes the row unique: no random call per
                 -- row, and the link token is derived from it (its MAC is what makes it unguessable)
                 md5(${shop} || ':back_in_stock:' || request_id || ':' || ${f.restockId}) AS id,
                 ${f.holdoutPercent}::int > 0
                   AND (('x' || substr(md5(${shop} || ':back_in_stock:' || subscriber_id), 1, 8))::bit(32)::bigint % 100)
                       < ${f.holdoutPercent}::int AS held_out
            FROM picked
        )`,
      params: Prisma.sql`${JSON.stringify(params)}::jsonb`,
      sendAt: f.sendAt,
      expiresAt: f.expiresAt,
      templateName: f.templateName,
      templateLanguage: f.templateLanguage,
      variantId: f.variantId,
      linkDestination: f.destination,
      skipExisting: false,
      alongside: Prisma.sql`
        marked AS (
          UPDATE "BackInStockRequest" r
             SET status = 'notified', "restockId" = ${f.restockId}, "notifiedAt" = ${now}
            FROM picked p
           WHERE r.id = p.request_id
        )`,
      now,
    },
    db,
  );
  // Every picked request gets its row (a dedup key is never met twice, so none is skipped) and
  // is marked notified in the same statement: as many requests notified as rows inserted.
  return { scheduled, heldOut, notified: scheduled + heldOut };
}

/**
 * A request whose alert was dropped at send time because the variant had sold out again never
 * reached the shopper; it goes back in the queue (keeping its place) for the next restock.
 */
async function rewaitSoldOutRequests(shop: string, variantId: string, db: Db) {
  return db.$executeRaw`
    UPDATE "BackInStockRequest" r SET status = 'waiting'
      FROM "Notification" n
     WHERE r.shop = ${shop} AND r."variantId" = ${variantId} AND r.status = 'notified'
       AND n.shop = r.shop AND n."dedupKey" = 'back_in_stock:' || r.id || ':' || r."restockId"
       AND n.status IN ('skipped', 'cancelled', 'failed')
       AND n."decisionReason" LIKE '%sold_out_again%'`;
}
