import { applyShopRedact, installedShopRedact, shopRedactPayload } from "../privacy/shop-redaction.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Mandatory compliance topic, sent 48 h after uninstall: erases every row of the shop, unless the
// shop has installed the app again since. The payload's shop_domain must be the delivering shop.
export const action = shopifyWebhook({
  topic: "shop/redact",
  schema: shopRedactPayload,
  requiresInstalledShop: false,
  payloadShop: (payload) => payload.shop_domain,
  skip: installedShopRedact,
  apply: applyShopRedact,
});
