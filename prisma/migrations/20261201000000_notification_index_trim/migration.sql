-- Every Notification index is written once per fan-out row. These two serve no query:
-- the claim finds expired leases through (status, sendAt) (status = 'sending', then a filter on
-- leaseUntil over the few rows in flight), and the reorder cancellation that filtered on
-- variantId now also names the buyer, which (shop, subscriberId, sentAt) finds.

-- DropIndex
DROP INDEX "Notification_leaseUntil_idx";

-- DropIndex
DROP INDEX "Notification_shop_variantId_status_idx";
