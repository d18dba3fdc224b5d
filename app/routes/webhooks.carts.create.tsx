import type { ActionFunctionArgs } from "@remix-run/node";
import { applyCartWebhook, cartPayload, cartWebhookSteps } from "../carts/cart.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// Carts are replaced whole; a late or repeated delivery never overwrites a newer cart.
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, { schema: cartPayload, requiresInstalledShop: true, apply: applyCartWebhook, steps: cartWebhookSteps });
