import { applyCustomerDataRequest, customerDataRequestPayload } from "../privacy/data-request.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Mandatory compliance topic: answered even after uninstall; the report is stored for the merchant.
// The payload's shop_domain must be the delivering shop.
export const action = shopifyWebhook({
  topic: "customers/data_request",
  schema: customerDataRequestPayload,
  requiresInstalledShop: false,
  payloadShop: (payload) => payload.shop_domain,
  apply: applyCustomerDataRequest,
});
