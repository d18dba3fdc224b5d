import { recordUninstall } from "../shops/shop.server";
import { staleUninstall, uninstalledShop, uninstallPayload } from "../shops/uninstall-delivery.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// May arrive more than once, and after the sessions are already gone: the write is idempotent.
// A late retry that predates a reinstall changes nothing.
export const action = shopifyWebhook({
  topic: "app/uninstalled",
  schema: uninstallPayload,
  requiresInstalledShop: false,
  payloadShop: uninstalledShop,
  skip: staleUninstall,
  apply: (tx, meta) => recordUninstall(tx, meta.shop, meta.triggeredAt ?? new Date()),
});
