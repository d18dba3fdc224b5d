-- A restock marks every waiting request of the variant notified: 100,000 row updates for a
-- popular variant. With status in an index, each update wrote a new entry into all three of the
-- table's indexes. Without it, and with room left on each page for the new row version, the
-- update is a heap-only (HOT) update that touches no index at all. The fan-out and the demand
-- report still find a variant's requests in creation order through (shop, variantId, createdAt)
-- and read status from the row.

-- DropIndex
DROP INDEX "BackInStockRequest_shop_variantId_status_createdAt_idx";

-- CreateIndex
CREATE INDEX "BackInStockRequest_shop_variantId_createdAt_idx" ON "BackInStockRequest"("shop", "variantId", "createdAt");

-- Half of each page stays free for the row's next version (Prisma cannot express storage
-- parameters; the schema says so next to the model). Rows already stored keep their pages until
-- the table is next rewritten; new rows follow the setting.
ALTER TABLE "BackInStockRequest" SET (fillfactor = 50);
