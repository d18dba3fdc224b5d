import prisma from "../db.server";
import { collectionProductIds, type AdminGraphql } from "../catalog/collections.server";
import type { Recommendation } from "./upsell";

/**
 * The merchant's fallbacks for the cross-sell flow, read for the planner. Stock, status and the
 * variant come from the local catalogue, which webhooks keep current and which the send-time
 * check reads too: a product the app has never heard of could not pass that check, so it is
 * left out here rather than planned and dropped later.
 */
type LocalVariant = { id: string; productId: string; available: number | null; inventoryPolicy: string; inventoryTracked: boolean };

// The same rule as a restock: untracked stock or "continue selling" counts as available.
const canBuy = (v: LocalVariant) => !v.inventoryTracked || v.inventoryPolicy === "continue" || (v.available ?? 0) > 0;

/** Local recommendations for these products, in the order given; the first buyable variant of each. */
export async function localRecommendations(shop: string, productIds: string[]): Promise<Recommendation[]> {
  if (productIds.length === 0) return [];
  const [products, variants] = await Promise.all([
    prisma.product.findMany({ where: { shop, id: { in: productIds } } }),
    prisma.variant.findMany({
      where: { shop, productId: { in: productIds } },
      orderBy: { id: "asc" },
      select: { id: true, productId: true, available: true, inventoryPolicy: true, inventoryTracked: true },
    }),
  ]);
  const productOf = new Map(products.map((p) => [p.id, p]));
  return productIds.flatMap((id) => {
    const product = productOf.get(id);
    const own = variants.filter((v) => v.productId === id);
    const variant = own.find(canBuy) ?? own[0];
    if (!product || !variant) return [];
    return [{
      productId: id, variantId: variant.id, title: product.title, handle: product.handle, status: product.status,
      coPurchases: 0, inStock: canBuy(variant),
    }];
  });
}

/**
 * The picked collection's products in the collection's own order, asked of the Admin API at
 * planning time (a task, never a webhook) so a collection the merchant edits is read as it is now.
 */
export async function collectionRecommendations(shop: string, collectionId: string, admin: AdminGraphql): Promise<Recommendation[]> {
  return localRecommendations(shop, await collectionProductIds(admin, collectionId));
}
