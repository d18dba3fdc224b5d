import type { ActionFunctionArgs } from "@remix-run/node";
import { applyCheckoutWebhook, checkoutPayload } from "../checkouts/checkout.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// Links the cart to the shopper's contact details; idempotent by token and updated_at.
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, { schema: checkoutPayload, requiresInstalledShop: true, apply: applyCheckoutWebhook });
