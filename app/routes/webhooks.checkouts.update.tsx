import { applyCheckoutWebhook, checkoutPayload } from "../checkouts/checkout.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Carries completed_at once the order is placed; older deliveries change nothing.
export const action = shopifyWebhook({ topic: "checkouts/update", schema: checkoutPayload, requiresInstalledShop: true, apply: applyCheckoutWebhook });
