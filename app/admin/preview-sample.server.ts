import prisma from "../db.server";
import type { MerchantFlow } from "./flow-catalog";

/**
 * Real values from the shop for the message preview: the most recently updated cart for the
 * abandoned-cart flow, the most recently updated variant (with its product) for the others.
 */
export interface PreviewSample {
  source: "cart" | "variant" | "none";
  shopName: string;
  productTitle: string | null;
  price: string | null;
  itemCount: number | null;
  currency: string;
}

const cartLine = (raw: unknown) => {
  const lines = Array.isArray(raw) ? raw : [];
  const first = lines[0] as Record<string, unknown> | undefined;
  return first && typeof first.title === "string" ? first.title : null;
};

export async function loadPreviewSample(shop: string, flow: MerchantFlow): Promise<PreviewSample> {
  const shopRow = await prisma.shop.findUnique({ where: { shop }, select: { name: true, currency: true } });
  const shopName = shopRow?.name ?? shop.replace(/\.myshopify\.com$/, "");
  const currency = shopRow?.currency ?? "USD";
  if (flow === "abandoned_cart") {
    const cart = await prisma.cart.findFirst({
      where: { shop, itemCount: { gt: 0 } },
      orderBy: { shopifyUpdatedAt: "desc" },
    });
    if (cart) {
      return {
        source: "cart",
        shopName,
        productTitle: cartLine(cart.lines),
        price: cart.totalPrice.toFixed(2),
        itemCount: cart.itemCount,
        currency: cart.currency ?? currency,
      };
    }
  }
  const variant = await prisma.variant.findFirst({ where: { shop }, orderBy: { shopifyUpdatedAt: "desc" } });
  if (variant) {
    const product = await prisma.product.findUnique({ where: { shop_id: { shop, id: variant.productId } }, select: { title: true } });
    const variantTitle = variant.title && variant.title !== "Default Title" ? ` – ${variant.title}` : "";
    return {
      source: "variant",
      shopName,
      productTitle: product ? `${product.title}${variantTitle}` : variant.title,
      price: variant.price.toFixed(2),
      itemCount: 1,
      currency,
    };
  }
  return { source: "none", shopName, productTitle: null, price: null, itemCount: null, currency };
}
