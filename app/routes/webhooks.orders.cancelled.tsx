import { applyOrderCancelled, orderPayload } from "../orders/order.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// A cancelled order's reminders (booking, reorder, cross-sell) stop; a replay has one effect.
export const action = shopifyWebhook({ topic: "orders/cancelled", schema: orderPayload, requiresInstalledShop: true, apply: applyOrderCancelled });
