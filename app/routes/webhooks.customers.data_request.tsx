import { applyCustomerDataRequest, customerDataRequestPayload } from "../privacy/data-request.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Mandatory compliance topic: answered even after uninstall; the report is stored for the merchant.
export const action = shopifyWebhook({ schema: customerDataRequestPayload, requiresInstalledShop: false, apply: applyCustomerDataRequest });
