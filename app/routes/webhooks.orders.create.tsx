import { applyOrderCreated, orderPayload } from "../orders/order.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Closes the cart and checkout it came from; a replay has one effect (event id receipt).
export const action = shopifyWebhook({ topic: "orders/create", schema: orderPayload, requiresInstalledShop: true, apply: applyOrderCreated });
