import type { ActionFunctionArgs } from "@remix-run/node";
import { applyShopRedact, shopRedactPayload } from "../privacy/shop-redaction.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// Mandatory compliance topic, sent 48 h after uninstall: erases every row of the shop.
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, { schema: shopRedactPayload, requiresInstalledShop: false, apply: applyShopRedact });
