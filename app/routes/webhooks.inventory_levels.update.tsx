import type { ActionFunctionArgs } from "@remix-run/node";
import { applyInventoryLevel, inventoryLevelPayload } from "../catalog/inventory.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// Names an inventory item, not a variant: unknown items are resolved in the background.
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, { schema: inventoryLevelPayload, requiresInstalledShop: true, apply: applyInventoryLevel });
