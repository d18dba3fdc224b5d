import type { ActionFunctionArgs } from "@remix-run/node";
import { applyOrderPaid, orderPayload } from "../orders/order.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// Payment is recorded once even when this arrives before orders/create.
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, { schema: orderPayload, requiresInstalledShop: true, apply: applyOrderPaid });
