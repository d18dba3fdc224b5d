-- Three Notification columns are null on most rows (a restock or reorder message has no cart,
-- no campaign, and no WhatsApp id until sent), yet every row added a (shop, NULL) or NULL entry
-- to their indexes: on a 100,000-row fan-out, one long run of equal keys per index. Every query
-- on these columns compares them with a value (or asks IS NOT NULL), which implies IS NOT NULL,
-- so the indexes can leave the nulls out. Same names as before: the Prisma schema still declares
-- them (it cannot express a predicate), and a null waMessageId never conflicted anyway.

-- status webhooks: WHERE shop = $1 AND "waMessageId" = $2
DROP INDEX "Notification_waMessageId_key";
CREATE UNIQUE INDEX "Notification_waMessageId_key" ON "Notification"("waMessageId") WHERE "waMessageId" IS NOT NULL;

-- cart re-planning and cancellation: WHERE shop = $1 AND "cartToken" = $2
DROP INDEX "Notification_shop_cartToken_idx";
CREATE INDEX "Notification_shop_cartToken_idx" ON "Notification"("shop", "cartToken") WHERE "cartToken" IS NOT NULL;

-- campaign progress, settlement and results: WHERE shop = $1 AND "campaignId" = $2 (or IS NOT NULL)
DROP INDEX "Notification_shop_campaignId_status_idx";
CREATE INDEX "Notification_shop_campaignId_status_idx" ON "Notification"("shop", "campaignId", "status") WHERE "campaignId" IS NOT NULL;
