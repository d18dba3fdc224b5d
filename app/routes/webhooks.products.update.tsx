import type { ActionFunctionArgs } from "@remix-run/node";
import { applyProductUpdate, productPayload } from "../catalog/product.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// Products and variants, each guarded by its own updated_at.
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, { schema: productPayload, requiresInstalledShop: true, apply: applyProductUpdate });
