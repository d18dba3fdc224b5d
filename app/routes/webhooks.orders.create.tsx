import type { ActionFunctionArgs } from "@remix-run/node";
import { applyOrderCreated, orderPayload } from "../orders/order.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// Closes the cart and checkout it came from; a replay has one effect (event id receipt).
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, { schema: orderPayload, requiresInstalledShop: true, apply: applyOrderCreated });
