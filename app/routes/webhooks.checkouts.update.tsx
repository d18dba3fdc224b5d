import type { ActionFunctionArgs } from "@remix-run/node";
import { applyCheckoutWebhook, checkoutPayload } from "../checkouts/checkout.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// Carries completed_at once the order is placed; older deliveries change nothing.
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, { schema: checkoutPayload, requiresInstalledShop: true, apply: applyCheckoutWebhook });
