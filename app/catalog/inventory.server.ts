import { Prisma } from "@prisma/client";
import { z } from "zod";
import { flagRaised, leaveJson, type Carried } from "../db/carried.server";
import { enqueueLeftTasks, PENDING_TASKS, type TaskRequest } from "../tasks/pipelined.server";
import { emitFlowEvent, flowEventKey, type FlowEvent } from "../webhooks/domain-events.server";
import type { WebhookMeta } from "../webhooks/ingest.server";
import { shopifyId, timestamp } from "../webhooks/shopify-fields";
import { sqlJson, sqlTimestamp } from "../webhooks/sql.server";

/**
 * Stock per location from inventory_levels/update, and a variant's availability as the sum over
 * its locations. The webhook names an inventory item, not a variant: it is mapped through
 * Variant.inventoryItemId, and an item we have not seen yet is looked up in the background.
 * https://shopify.dev/docs/api/admin-rest/latest/resources/inventorylevel
 */
export const inventoryLevelPayload = z.object({
  inventory_item_id: shopifyId,
  location_id: shopifyId,
  // null for items whose inventory Shopify does not track: there is no stock to record.
  available: z.number().int().nullable(),
  updated_at: timestamp,
});

export type InventoryLevelPayload = z.infer<typeof inventoryLevelPayload>;

export const RESOLVE_INVENTORY_ITEM = "catalog.resolve_inventory_item";

export interface ResolveInventoryItemPayload {
  inventoryItemId: string;
  /** The inventory event that found the item unknown: becomes the restock id. */
  eventId: string;
}

interface VariantStock {
  id: string;
  available: number | null;
}

/** Locks the variants of these items so concurrent level updates sum one after another. */
export async function lockVariantStock(
  tx: Prisma.TransactionClient,
  shop: string,
  by: { inventoryItemId: string } | { variantIds: string[] },
): Promise<Map<string, number | null>> {
  if ("variantIds" in by && by.variantIds.length === 0) return new Map();
  const rows =
    "inventoryItemId" in by
      ? await tx.$queryRaw<VariantStock[]>`
          SELECT id, available FROM "Variant" WHERE shop = ${shop} AND "inventoryItemId" = ${by.inventoryItemId}
          ORDER BY id FOR UPDATE`
      : await tx.$queryRaw<VariantStock[]>`
          SELECT id, available FROM "Variant" WHERE shop = ${shop} AND id IN (${Prisma.join(by.variantIds)})
          ORDER BY id FOR UPDATE`;
  return new Map(rows.map((row) => [row.id, row.available]));
}

/** available = sum of the item's levels, for every variant of the item that has levels. */
export async function sumVariantStock(
  tx: Prisma.TransactionClient,
  shop: string,
  inventoryItemId: string,
): Promise<VariantStock[]> {
  return tx.$queryRaw<VariantStock[]>`
    UPDATE "Variant" v
       SET available = s.total, "updatedAt" = CURRENT_TIMESTAMP
      FROM (SELECT CAST(SUM(available) AS integer) AS total FROM "InventoryLevel"
             WHERE shop = ${shop} AND "inventoryItemId" = ${inventoryItemId}) s
     WHERE v.shop = ${shop} AND v."inventoryItemId" = ${inventoryItemId} AND s.total IS NOT NULL
    RETURNING v.id, v.available`;
}

/** A variant is restocked when it goes from none (or unknown) to some. */
export function isRestock(before: number | null | undefined, after: number | null): after is number {
  return after !== null && after > 0 && (before === null || before === undefined || before <= 0);
}

/**
 * Announces each variant that crossed from out of stock (or unknown stock) to in stock. A variant
 * first seen in a product payload is a catalogue sync, not a restock, unless the caller says so.
 */
export async function announceRestocks(
  tx: Prisma.TransactionClient,
  shop: string,
  restockId: string,
  before: Map<string, number | null>,
  after: VariantStock[],
  options: { newVariantsCount?: boolean } = {},
) {
  for (const variant of after) {
    if (!before.has(variant.id) && !options.newVariantsCount) continue;
    if (!isRestock(before.get(variant.id), variant.available)) continue;
    await emitFlowEvent(tx, shop, restockId, {
      kind: "flows.variant_restocked",
      payload: { variantId: variant.id, available: variant.available, restockId },
    });
  }
}

/**
 * A level's delivery locks its item: the variants (inventoryLevelStatements), then the item's
 * levels and its lookup task. One key per item, not per location, so that one transaction never holds two
 * levels of an item taken in an order another transaction could take the other way.
 */
export const inventoryLevelLockKey = (payload: InventoryLevelPayload) => `inventory ${payload.inventory_item_id}`;

/**
 * inventory_levels/update, as the statements of a pipelined delivery (app/webhooks/
 * webhook-handler.ts): the item's variants locked, so that concurrent level updates of one item
 * sum one after another; then the level stored (an older `updated_at` for the same item and
 * location changes nothing), the item's variants re-summed and restocks announced; an unknown
 * item is resolved later. The writes are one statement after the lock: the lock was granted
 * before that statement's snapshot was taken, so every level committed by an earlier writer of
 * the item is in it. The statement cannot see the level row it writes, so the total is the
 * other locations' levels plus this one; `before` reads the variants as they were (no step sees
 * another step's writes), which is what a restock is measured against. The tasks it wants are
 * left as PENDING_TASKS for the statement after it.
 */
export function inventoryLevelStatements(meta: WebhookMeta, payload: InventoryLevelPayload, received: Carried<boolean>): Prisma.Sql[] {
  // null for items whose inventory Shopify does not track: there is no stock to record.
  if (payload.available === null) return [];
  const { shop, eventId } = meta;
  const itemId = payload.inventory_item_id;
  const restock = "flows.variant_restocked" satisfies FlowEvent["kind"];
  // An item no variant names yet: one lookup per item, because a bulk stock import sends a level
  // per location and the Admin API is rate limited per shop. The lookup sums every level stored
  // by the time it runs.
  const lookup: TaskRequest = {
    kind: RESOLVE_INVENTORY_ITEM,
    payload: { inventoryItemId: itemId, eventId },
    dedupKey: `${RESOLVE_INVENTORY_ITEM}:${itemId}`,
  };
  const lock = Prisma.sql`
    SELECT id FROM "Variant" WHERE shop = ${shop} AND "inventoryItemId" = ${itemId} AND ${flagRaised(received)}
     ORDER BY id FOR UPDATE`;
  const writes = Prisma.sql`
    WITH before AS (
      SELECT id, available FROM "Variant" WHERE shop = ${shop} AND "inventoryItemId" = ${itemId}),
    level AS (
      INSERT INTO "InventoryLevel" (shop, "inventoryItemId", "locationId", available, "shopifyUpdatedAt")
      SELECT ${shop}, ${itemId}, ${payload.location_id}, CAST(${payload.available} AS integer), ${sqlTimestamp(payload.updated_at)}
       WHERE ${flagRaised(received)}
      ON CONFLICT (shop, "inventoryItemId", "locationId") DO UPDATE SET
        available = EXCLUDED.available, "shopifyUpdatedAt" = EXCLUDED."shopifyUpdatedAt"
      WHERE "InventoryLevel"."shopifyUpdatedAt" <= EXCLUDED."shopifyUpdatedAt"
      RETURNING available),
    total AS (
      SELECT CAST(COALESCE(SUM(available), 0) AS integer) + (SELECT available FROM level) AS total
        FROM "InventoryLevel"
       WHERE shop = ${shop} AND "inventoryItemId" = ${itemId} AND "locationId" <> ${payload.location_id}),
    after AS (
      UPDATE "Variant" v
         SET available = t.total, "updatedAt" = CURRENT_TIMESTAMP
        FROM total t
       WHERE v.shop = ${shop} AND v."inventoryItemId" = ${itemId} AND t.total IS NOT NULL
      RETURNING v.id, v.available),
    -- Each variant that went from none (or unknown) to some: the event emitFlowEvent writes. An
    -- older delivery changed no level, so no total: nothing is announced.
    wanted AS (
      SELECT jsonb_build_object('kind', CAST(${restock} AS text),
               'payload', jsonb_build_object('variantId', a.id, 'available', a.available, 'restockId', CAST(${eventId} AS text)),
               'dedupKey', CAST(${flowEventKey(eventId, restock, "")} AS text) || a.id) AS task
        FROM after a JOIN before b ON b.id = a.id
       WHERE a.available > 0 AND (b.available IS NULL OR b.available <= 0)
      UNION ALL
      SELECT ${sqlJson(lookup)} WHERE ${flagRaised(received)} AND NOT EXISTS (SELECT 1 FROM before))
    SELECT ${leaveJson(PENDING_TASKS, Prisma.sql`(SELECT jsonb_agg(task) FROM wanted)`)} AS pending`;
  return [lock, writes, enqueueLeftTasks(shop)];
}
