import { applyOrderCancelled, orderPayload } from "../orders/order.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// A cancelled order's reminders (booking, reorder, cross-sell) stop; a replay has one effect.
export const action = shopifyWebhook({ schema: orderPayload, requiresInstalledShop: true, apply: applyOrderCancelled });
