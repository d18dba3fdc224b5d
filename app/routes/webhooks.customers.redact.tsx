import { applyCustomerRedact, customerRedactPayload } from "../privacy/customer-redaction.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Mandatory compliance topic: answered even after uninstall; erases the shopper.
export const action = shopifyWebhook({ schema: customerRedactPayload, requiresInstalledShop: false, apply: applyCustomerRedact });
