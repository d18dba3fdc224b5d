import type { ActionFunctionArgs } from "@remix-run/node";
import { applyOrderCancelled, orderPayload } from "../orders/order.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// A cancelled order's reminders (booking, reorder, cross-sell) stop; a replay has one effect.
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, { schema: orderPayload, requiresInstalledShop: true, apply: applyOrderCancelled });
