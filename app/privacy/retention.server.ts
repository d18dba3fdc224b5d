import { Prisma } from "@prisma/client";
import prisma from "../db.server";
import { eraseSubscribers } from "../consent/suppression.server";
import { deleteFinishedNotifications } from "../outbox/erasure.server";

/**
 * The merchant's "Keep message data for (days)" (ShopSettings.dataRetentionDays), applied per
 * shop. Shopify's protected customer data rules ask apps to keep personal data no longer than
 * they need and to honour their stated retention:
 * https://shopify.dev/docs/apps/launch/protected-customer-data#requirements
 *
 * Past retention means the row's last activity is older than the cutoff (now − days), never its
 * creation alone, and nothing a live flow still needs goes:
 * - Notification (with its events, tracked links and clicks): finished ones (not `scheduled` or
 *   `sending`) whose latest of created / sent / delivered / read / failed / clicked / updated is
 *   past. Attribution rows keep the revenue; the attribution window (30 days at most) is never
 *   longer than the shortest retention (30 days).
 * - Cart and Checkout: last touched (by Shopify or by us) before the cutoff and not named by a
 *   message still to be sent.
 * - Order: kept for revenue counts; phone, email and line item properties are cleared once it was
 *   placed and last updated by Shopify before the cutoff, unless a message still to be sent is about
 *   it (a reorder or an appointment reminder). Customer and subscriber ids stay: they are no
 *   contact details, and the flows of live subscribers read purchase history through them.
 * - Subscriber: one who never confirmed (`pending`) or opted out (`unsubscribed`), with no consent
 *   event, order or change since the cutoff and nothing to be sent. Erased with its ledger and
 *   requests; an opt-out is kept as a keyed hash (suppression.server.ts). A `subscribed` shopper
 *   is a live consent and keeps its ledger, the proof of that consent.
 * - BackInStockRequest: notified or cancelled before the cutoff. Waiting ones are live.
 * - DataRequest: reports received before the cutoff (the merchant has 30 days to answer).
 * Each rule also names the creation column on its own (implied by the rest) so indexes on it
 * (Notification, Subscriber, Order) narrow the search. Deletes go in bounded batches that skip rows another process holds (FOR UPDATE SKIP LOCKED),
 * so any number of processes can apply retention at once; a process also leases the shop so
 * the recorded figures are those of one pass.
 */
const BATCH = 500;
/** Per table and pass; a shop with more waits for its next pass, which comes at once. */
const MAX_BATCHES = 20;
const PASS_EVERY_MS = 6 * 3600_000;
const LEASE_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/** Rows a message still to be sent may read. */
const PENDING = Prisma.sql`n.status IN ('scheduled', 'sending')`;

export type RetentionCounts = Record<string, number>;

type Batch = (shop: string, cutoff: Date) => Promise<RetentionCounts>;

const first = (rows: Array<Record<string, bigint | number>>) =>
  Object.fromEntries(Object.entries(rows[0] ?? {}).map(([key, value]) => [key, Number(value)]));

/** Each step removes one batch and says how many rows of which kind; the first key decides "more". */
const STEPS: Array<{ name: string; batch: Batch }> = [
  {
    name: "messages",
    // The outbox deletes its rows (events and clicks by cascade) and says how many of each.
    batch: async (shop, cutoff) => first(await deleteFinishedNotifications(shop, cutoff, BATCH)),
  },
  {
    name: "carts",
    batch: async (shop, cutoff) => ({
      carts: await prisma.$executeRaw`
        DELETE FROM "Cart" WHERE shop = ${shop} AND token IN (
          SELECT c.token FROM "Cart" c
           WHERE c.shop = ${shop} AND c."createdAt" < ${cutoff} AND GREATEST(c."updatedAt", c."shopifyUpdatedAt") < ${cutoff}
             AND NOT EXISTS (SELECT 1 FROM "Notification" n WHERE n.shop = ${shop} AND n."cartToken" = c.token AND ${PENDING})
           LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)`,
    }),
  },
  {
    name: "checkouts",
    batch: async (shop, cutoff) => ({
      checkouts: await prisma.$executeRaw`
        DELETE FROM "Checkout" WHERE shop = ${shop} AND token IN (
          SELECT c.token FROM "Checkout" c
           WHERE c.shop = ${shop} AND c."createdAt" < ${cutoff} AND GREATEST(c."updatedAt", c."shopifyUpdatedAt", c."completedAt") < ${cutoff}
             AND NOT EXISTS (SELECT 1 FROM "Notification" n WHERE n.shop = ${shop} AND n."cartToken" = c."cartToken" AND ${PENDING})
           LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)`,
    }),
  },
  {
    name: "orders",
    batch: async (shop, cutoff) => first(await prisma.$queryRaw`
      WITH doomed AS (
        SELECT o.id FROM "Order" o
         WHERE o.shop = ${shop} AND o."placedAt" < ${cutoff} AND GREATEST(o."placedAt", o."shopifyUpdatedAt") < ${cutoff}
           AND (o.phone IS NOT NULL OR o.email IS NOT NULL OR EXISTS (
                 SELECT 1 FROM "OrderLineItem" li WHERE li.shop = ${shop} AND li."orderId" = o.id AND li.properties <> '[]'::jsonb))
           AND NOT EXISTS (SELECT 1 FROM "Notification" n WHERE n.shop = ${shop} AND n."orderId" = o.id AND ${PENDING})
         LIMIT ${BATCH} FOR UPDATE SKIP LOCKED),
      lines AS (
        UPDATE "OrderLineItem" SET properties = '[]'::jsonb
         WHERE shop = ${shop} AND "orderId" IN (SELECT id FROM doomed) AND properties <> '[]'::jsonb RETURNING 1),
      cleared AS (
        UPDATE "Order" SET phone = NULL, email = NULL WHERE shop = ${shop} AND id IN (SELECT id FROM doomed) RETURNING 1)
      SELECT (SELECT count(*) FROM cleared) AS "ordersAnonymised", (SELECT count(*) FROM lines) AS "orderLinesCleared"`),
  },
  {
    name: "subscribers",
    batch: (shop, cutoff) =>
      prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<Array<{ id: string }>>`
          SELECT s.id FROM "Subscriber" s
           WHERE s.shop = ${shop} AND s.status IN ('pending', 'unsubscribed') AND s."createdAt" < ${cutoff}
             AND GREATEST(s."createdAt", s."updatedAt", s."lastOrderAt") < ${cutoff}
             AND NOT EXISTS (SELECT 1 FROM "ConsentEvent" e WHERE e.shop = ${shop} AND e."subscriberId" = s.id AND e."occurredAt" >= ${cutoff})
             AND NOT EXISTS (SELECT 1 FROM "Notification" n WHERE n.shop = ${shop} AND n."subscriberId" = s.id AND ${PENDING})
           LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
        return { subscribers: await eraseSubscribers(tx, shop, rows.map((r) => r.id)) };
      }),
  },
  {
    name: "backInStockRequests",
    batch: async (shop, cutoff) => ({
      backInStockRequests: await prisma.$executeRaw`
        DELETE FROM "BackInStockRequest" WHERE shop = ${shop} AND id IN (
          SELECT id FROM "BackInStockRequest"
           WHERE shop = ${shop} AND status IN ('notified', 'cancelled') AND GREATEST("createdAt", "notifiedAt") < ${cutoff}
           LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)`,
    }),
  },
  {
    name: "dataRequests",
    batch: async (shop, cutoff) => ({
      dataRequests: await prisma.$executeRaw`
        DELETE FROM "DataRequest" WHERE shop = ${shop} AND id IN (
          SELECT id FROM "DataRequest" WHERE shop = ${shop} AND "requestedAt" < ${cutoff}
           LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)`,
    }),
  },
];

export interface RetentionPass {
  shop: string;
  cutoff: Date;
  removed: RetentionCounts;
  /** Some table still had rows past retention when the pass stopped */
  backlog: boolean;
}

/** One pass over one shop with its own setting: every table, at most MAX_BATCHES batches each. */
export async function applyShopRetention(shop: string, retentionDays: number, now: Date): Promise<RetentionPass> {
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  const removed: RetentionCounts = {};
  let backlog = false;
  for (const step of STEPS) {
    for (let i = 0; ; i++) {
      const counts = await step.batch(shop, cutoff);
      for (const [key, value] of Object.entries(counts)) removed[key] = (removed[key] ?? 0) + value;
      const main = Object.values(counts)[0] ?? 0;
      if (main < BATCH) break;
      if (i + 1 >= MAX_BATCHES) {
        backlog = true;
        break;
      }
    }
  }
  return { shop, cutoff, removed, backlog };
}

/**
 * Takes the next shop due a pass (never run, last pass older than PASS_EVERY_MS, or left with a
 * backlog) that no other process holds, and leases it. Shops without settings get the default.
 */
async function claimDueShop(now: Date): Promise<{ shop: string; dataRetentionDays: number } | null> {
  await prisma.$executeRaw`
    INSERT INTO "ShopSettings" (shop, "updatedAt")
    SELECT s.shop, ${now} FROM "Shop" s WHERE NOT EXISTS (SELECT 1 FROM "ShopSettings" x WHERE x.shop = s.shop)
    ON CONFLICT (shop) DO NOTHING`;
  const rows = await prisma.$queryRaw<Array<{ shop: string; dataRetentionDays: number }>>`
    UPDATE "ShopSettings" SET "retentionLeaseUntil" = ${new Date(now.getTime() + LEASE_MS)}
     WHERE shop = (
       SELECT shop FROM "ShopSettings"
        WHERE ("retentionAppliedAt" IS NULL OR "retentionAppliedAt" <= ${new Date(now.getTime() - PASS_EVERY_MS)} OR "retentionBacklog")
          AND ("retentionLeaseUntil" IS NULL OR "retentionLeaseUntil" < ${now})
        ORDER BY "retentionAppliedAt" ASC NULLS FIRST
        LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING shop, "dataRetentionDays"`;
  return rows[0] ?? null;
}

/**
 * Applies retention to every shop that is due, one leased shop at a time, until none is left or
 * the time budget is spent, recording each pass on the shop's settings for the admin.
 */
export async function applyRetention(now: Date, budgetMs = 5_000): Promise<RetentionPass[]> {
  const started = Date.now();
  const passes: RetentionPass[] = [];
  for (;;) {
    const due = await claimDueShop(now);
    if (!due) break;
    const pass = await applyShopRetention(due.shop, due.dataRetentionDays, now).catch(async (error: unknown) => {
      // Let another pass try soon rather than holding the lease for its full term.
      await prisma.shopSettings.update({ where: { shop: due.shop }, data: { retentionLeaseUntil: null } });
      throw error;
    });
    await prisma.shopSettings.update({
      where: { shop: due.shop },
      data: { retentionAppliedAt: now, retentionRemoved: pass.removed, retentionBacklog: pass.backlog, retentionLeaseUntil: null },
    });
    passes.push(pass);
    if (Date.now() - started > budgetMs) break;
  }
  return passes;
}

/** For the settings page: when retention last ran for the shop and what it removed. */
export async function loadRetentionStatus(shop: string) {
  const row = await prisma.shopSettings.findUnique({
    where: { shop },
    select: { retentionAppliedAt: true, retentionRemoved: true },
  });
  const removed = (row?.retentionRemoved ?? {}) as Record<string, number>;
  return { appliedAt: row?.retentionAppliedAt?.toISOString() ?? null, removed };
}
