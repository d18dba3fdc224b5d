import { z } from "zod";
import { recordUninstall } from "../shops/shop.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// May arrive more than once, and after the sessions are already gone: the write is idempotent.
export const action = shopifyWebhook({
  schema: z.object({}).passthrough(),
  requiresInstalledShop: false,
  apply: (tx, meta) => recordUninstall(tx, meta.shop, meta.triggeredAt ?? new Date()),
});
