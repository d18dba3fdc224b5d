import { applyCustomerUpdated, customerUpdatedPayload } from "../consent/shopify-customer-webhook.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Records the signal only; the customer's WhatsApp consent is read by a task after the 200.
export const action = shopifyWebhook({ topic: "customers/update", schema: customerUpdatedPayload, requiresInstalledShop: true, apply: applyCustomerUpdated });
