import { applyCheckoutWebhook, checkoutPayload } from "../checkouts/checkout.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Links the cart to the shopper's contact details; idempotent by token and updated_at.
export const action = shopifyWebhook({ topic: "checkouts/create", schema: checkoutPayload, requiresInstalledShop: true, apply: applyCheckoutWebhook });
