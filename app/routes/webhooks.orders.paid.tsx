import { applyOrderPaid, orderPayload } from "../orders/order.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Payment is recorded once even when this arrives before orders/create.
export const action = shopifyWebhook({ topic: "orders/paid", schema: orderPayload, requiresInstalledShop: true, apply: applyOrderPaid });
