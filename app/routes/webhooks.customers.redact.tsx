import { applyCustomerRedact, customerRedactPayload } from "../privacy/customer-redaction.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Mandatory compliance topic: answered even after uninstall; erases the shopper. The payload's
// shop_domain must be the delivering shop.
export const action = shopifyWebhook({
  topic: "customers/redact",
  schema: customerRedactPayload,
  requiresInstalledShop: false,
  payloadShop: (payload) => payload.shop_domain,
  apply: applyCustomerRedact,
});
