import { Prisma } from "@prisma/client";
import { z } from "zod";
import { enqueueTask } from "../tasks/queue.server";
import { emitFlowEvent } from "../webhooks/domain-events.server";
import type { WebhookMeta } from "../webhooks/ingest.server";
import { shopifyId, timestamp } from "../webhooks/shopify-fields";
import { sqlTimestamp } from "../webhooks/sql.server";

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
 * Stores the level (an older `updated_at` for the same item and location changes nothing),
 * re-sums the item's variants and announces restocks; an unknown item is resolved later.
 */
export async function applyInventoryLevel(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: InventoryLevelPayload) {
  if (payload.available === null) return;
  const itemId = payload.inventory_item_id;
  const before = await lockVariantStock(tx, meta.shop, { inventoryItemId: itemId });
  // Level and variant totals in one statement. It cannot see the level row it writes, so the total
  // is the other locations' levels plus this one; the variant lock above was taken in an earlier
  // statement, so every level committed by a writer of this item before us is in this snapshot.
  const after = await tx.$queryRaw<VariantStock[]>`
    WITH level AS (
      INSERT INTO "InventoryLevel" (shop, "inventoryItemId", "locationId", available, "shopifyUpdatedAt")
      VALUES (${meta.shop}, ${itemId}, ${payload.location_id}, ${payload.available}, ${sqlTimestamp(payload.updated_at)})
      ON CONFLICT (shop, "inventoryItemId", "locationId") DO UPDATE SET
        available = EXCLUDED.available, "shopifyUpdatedAt" = EXCLUDED."shopifyUpdatedAt"
      WHERE "InventoryLevel"."shopifyUpdatedAt" <= EXCLUDED."shopifyUpdatedAt"
      RETURNING available),
    total AS (
      SELECT CAST(COALESCE(SUM(available), 0) AS integer) + (SELECT available FROM level) AS total
        FROM "InventoryLevel"
       WHERE shop = ${meta.shop} AND "inventoryItemId" = ${itemId} AND "locationId" <> ${payload.location_id})
    UPDATE "Variant" v
       SET available = t.total, "updatedAt" = CURRENT_TIMESTAMP
      FROM total t
     WHERE v.shop = ${meta.shop} AND v."inventoryItemId" = ${itemId} AND t.total IS NOT NULL
       AND CAST(${before.size > 0} AS boolean)
    RETURNING v.id, v.available`;
  if (before.size === 0) {
    const task: ResolveInventoryItemPayload = { inventoryItemId: itemId, eventId: meta.eventId };
    // One lookup per item: a bulk stock import sends a level per location, and the Admin API
    // is rate limited per shop. The lookup sums every level stored by the time it runs.
    await enqueueTask(
      { shop: meta.shop, kind: RESOLVE_INVENTORY_ITEM, payload: { ...task }, dedupKey: `${RESOLVE_INVENTORY_ITEM}:${itemId}` },
      tx,
    );
    return;
  }
  // An older delivery changed no level, so no total: `after` is empty and nothing is announced.
  await announceRestocks(tx, meta.shop, meta.eventId, before, after);
}
