import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { recordUninstall } from "../shops/shop.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// May arrive more than once, and after the sessions are already gone: the write is idempotent.
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, {
    schema: z.object({}).passthrough(),
    requiresInstalledShop: false,
    apply: (tx, meta) => recordUninstall(tx, meta.shop, meta.triggeredAt ?? new Date()),
  });
