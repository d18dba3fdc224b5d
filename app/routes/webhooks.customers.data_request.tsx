import type { ActionFunctionArgs } from "@remix-run/node";
import { applyCustomerDataRequest, customerDataRequestPayload } from "../privacy/data-request.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// Mandatory compliance topic: answered even after uninstall; the report is stored for the merchant.
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, { schema: customerDataRequestPayload, requiresInstalledShop: false, apply: applyCustomerDataRequest });
