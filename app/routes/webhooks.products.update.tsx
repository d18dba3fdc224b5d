import { applyProductUpdate, productPayload } from "../catalog/product.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Products and variants, each guarded by its own updated_at.
export const action = shopifyWebhook({ topic: "products/update", schema: productPayload, requiresInstalledShop: true, apply: applyProductUpdate });
