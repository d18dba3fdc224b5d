import type { Prisma } from "@prisma/client";
import { z } from "zod";
import type { WebhookMeta } from "../webhooks/ingest.server";

/**
 * app/uninstalled as Shopify sends it: the shop's REST object (`id`, `myshopify_domain`, `domain`,
 * …; Shopify's own example has both domains null). Everything in it may be absent.
 * https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-app/uninstalled
 */
export const uninstallPayload = z
  .object({ myshopify_domain: z.string().nullish(), domain: z.string().nullish() })
  .passthrough();

export type UninstallPayload = z.infer<typeof uninstallPayload>;

/**
 * The shop the payload is about. `myshopify_domain` always is the shop; `domain` is its primary
 * domain, a custom one for most live shops, so it only names the shop when it is a
 * *.myshopify.com domain.
 */
export function uninstalledShop(payload: UninstallPayload): string | null {
  if (payload.myshopify_domain) return payload.myshopify_domain;
  return payload.domain?.toLowerCase().endsWith(".myshopify.com") ? payload.domain : null;
}

/**
 * Shopify retries a delivery for hours, so an app/uninstalled can arrive after the merchant has
 * installed the app again. One triggered before the latest install must not undo it.
 */
export async function staleUninstall(tx: Prisma.TransactionClient, meta: WebhookMeta): Promise<string | null> {
  if (!meta.triggeredAt) return null;
  const [shop] = await tx.$queryRaw<Array<{ installedAt: Date }>>`
    SELECT "installedAt" FROM "Shop" WHERE shop = ${meta.shop} FOR UPDATE`;
  return shop && meta.triggeredAt < shop.installedAt ? "uninstall was triggered before the shop's latest install" : null;
}
