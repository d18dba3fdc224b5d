import { inventoryLevelLockKey, inventoryLevelPayload, inventoryLevelStatements } from "../catalog/inventory.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Names an inventory item, not a variant: unknown items are resolved in the background. The
// item's variants are locked first, so concurrent levels of one item are summed one after another.
export const action = shopifyWebhook({ topic: "inventory_levels/update", schema: inventoryLevelPayload, requiresInstalledShop: true, pipelined: { statements: inventoryLevelStatements, lockKey: inventoryLevelLockKey } });
