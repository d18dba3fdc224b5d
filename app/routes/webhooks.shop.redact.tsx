import { applyShopRedact, shopRedactPayload } from "../privacy/shop-redaction.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Mandatory compliance topic, sent 48 h after uninstall: erases every row of the shop.
export const action = shopifyWebhook({ schema: shopRedactPayload, requiresInstalledShop: false, apply: applyShopRedact });
