import type { ActionFunctionArgs } from "@remix-run/node";
import { applyCustomerRedact, customerRedactPayload } from "../privacy/customer-redaction.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// Mandatory compliance topic: answered even after uninstall; erases the shopper.
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, { schema: customerRedactPayload, requiresInstalledShop: false, apply: applyCustomerRedact });
