import prisma from "../db.server";

/**
 * Real values from the shop for message previews: the most recently updated cart with items,
 * and the two most recently updated variants with their products (the second stands in for
 * an upsell recommendation).
 */
export interface PreviewSample {
  source: "cart" | "variant" | "none";
  shopName: string;
  currency: string;
  cartItemTitle: string | null;
  cartTotal: string | null;
  productTitle: string | null;
  variantTitle: string | null;
  price: string | null;
  otherProductTitle: string | null;
}

const firstLineTitle = (raw: unknown) => {
  const first = (Array.isArray(raw) ? raw[0] : undefined) as Record<string, unknown> | undefined;
  return first && typeof first.title === "string" ? first.title : null;
};

export async function loadPreviewSample(shop: string): Promise<PreviewSample> {
  const [shopRow, cart, variants] = await Promise.all([
    prisma.shop.findUnique({ where: { shop }, select: { name: true, currency: true } }),
    prisma.cart.findFirst({ where: { shop, itemCount: { gt: 0 } }, orderBy: { shopifyUpdatedAt: "desc" } }),
    prisma.variant.findMany({ where: { shop }, orderBy: { shopifyUpdatedAt: "desc" }, take: 10 }),
  ]);
  const productIds = [...new Set(variants.map((v) => v.productId))];
  const products = await prisma.product.findMany({ where: { shop, id: { in: productIds } }, select: { id: true, title: true } });
  const titleOf = (id: string) => products.find((p) => p.id === id)?.title ?? null;
  const latest = variants[0];
  const other = variants.find((v) => latest && v.productId !== latest.productId);
  const currency = cart?.currency ?? shopRow?.currency ?? "USD";
  return {
    source: cart ? "cart" : latest ? "variant" : "none",
    shopName: shopRow?.name ?? shop.replace(/\.myshopify\.com$/, ""),
    currency,
    cartItemTitle: cart ? firstLineTitle(cart.lines) : null,
    cartTotal: cart ? cart.totalPrice.toFixed(2) : null,
    productTitle: latest ? titleOf(latest.productId) : null,
    variantTitle: latest?.title && latest.title !== "Default Title" ? latest.title : null,
    price: latest ? latest.price.toFixed(2) : null,
    otherProductTitle: other ? titleOf(other.productId) : null,
  };
}
