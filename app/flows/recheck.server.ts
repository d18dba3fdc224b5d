import prisma from "../db.server";
import type { FlowRecheck, RecheckInput, RecheckResult } from "../outbox/ports";

/**
 * Send-time re-check of the state a flow planned against. Planning happens minutes to days
 * before the send; in between the cart may convert, the variant sell out again, the shopper
 * reorder. The outbox also cancels on those events, but webhooks arrive late and out of order,
 * so the gate asks here just before handing a message to WhatsApp.
 *
 * Which columns each flow relies on (set by its planner):
 * - abandoned_cart: cartToken (Shopify's cart token, or the checkout token when the checkout
 *   had no cart)
 * - back_in_stock: variantId
 * - reorder: orderId (the source order) and variantId (what was bought)
 * - upsell: orderId and variantId (a variant of the recommended product)
 * - promotion: campaignId
 * - appointment: orderId and expiresAt (the booking instant)
 */
const OK: RecheckResult = { ok: true };
const no = (reason: string): RecheckResult => ({ ok: false, reason });

async function recheckReorder({ shop, orderId, variantId, subscriberId }: RecheckInput): Promise<RecheckResult> {
  if (!orderId) return no("order_unknown");
  const source = await prisma.order.findUnique({
    where: { shop_id: { shop, id: orderId } },
    select: { placedAt: true, customerId: true, subscriberId: true, cancelledAt: true, lineItems: true },
  });
  if (!source) return no("order_unknown");
  if (source.cancelledAt) return no("order_cancelled");
  const productId = await productOf(shop, variantId, source.lineItems);
  if (!productId) return no("product_unknown");

  const buyer = [
    ...(source.customerId ? [{ customerId: source.customerId }] : []),
    ...(source.subscriberId ?? subscriberId ? [{ subscriberId: (source.subscriberId ?? subscriberId)! }] : []),
  ];
  if (buyer.length === 0) return OK;
  const again = await prisma.order.findFirst({
    where: {
      shop,
      id: { not: orderId },
      cancelledAt: null,
      placedAt: { gt: source.placedAt },
      OR: buyer,
      lineItems: { some: { productId } },
    },
    select: { id: true },
  });
  return again ? no("already_reordered") : OK;
}

async function productOf(
  shop: string,
  variantId: string | null,
  lines: Array<{ variantId: string | null; productId: string | null }>,
): Promise<string | null> {
  const line = lines.find((l) => variantId && l.variantId === variantId) ?? (lines.length === 1 ? lines[0] : undefined);
  if (line?.productId) return line.productId;
  if (!variantId) return null;
  const variant = await prisma.variant.findUnique({
    where: { shop_id: { shop, id: variantId } },
    select: { productId: true },
  });
  return variant?.productId ?? null;
}

/**
 * The re-check of a batch of messages (one message is a batch of one): answers in the order of
 * `rows`, with one query per flow kind and shop instead of a few per message (the dispatcher
 * re-checks every message it sends, so per-message reads bound its throughput). The outbox is
 * given this at construction (app/engine.server.ts).
 */
export const recheckFlowStates: FlowRecheck = async (rows, now) => {
  const results: RecheckResult[] = new Array(rows.length);
  const groups = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const key = `${row.flow}\u0000${row.shop}`;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const batch = indexes.map((i) => rows[i]);
      const answers = await recheckGroup(batch[0].flow, batch[0].shop, batch, now);
      indexes.forEach((i, k) => (results[i] = answers[k]));
    }),
  );
  return results;
};

/** Rows of one flow and one shop. */
async function recheckGroup(flow: RecheckInput["flow"], shop: string, rows: RecheckInput[], now: Date): Promise<RecheckResult[]> {
  switch (flow) {
    case "abandoned_cart":
      return recheckAbandonedCarts(shop, rows);
    case "back_in_stock":
      return recheckBackInStocks(shop, rows);
    case "upsell":
      return recheckUpsells(shop, rows);
    case "promotion":
      return recheckPromotions(shop, rows);
    case "appointment":
      return recheckAppointments(shop, rows, now);
    case "reorder":
      // A reorder looks for a later order of the same product by the same buyer: rare enough
      // (one per source order) that the single-row form is kept.
      return Promise.all(rows.map((row) => recheckReorder(row)));
    case "optin_confirmation":
      return rows.map(() => OK);
  }
}

const distinct = (values: Array<string | null>) => [...new Set(values.filter((v): v is string => !!v))];

async function recheckAbandonedCarts(shop: string, rows: RecheckInput[]): Promise<RecheckResult[]> {
  const tokens = distinct(rows.map((r) => r.cartToken));
  if (tokens.length === 0) return rows.map(() => no("cart_unknown"));
  const [carts, checkouts] = await Promise.all([
    prisma.cart.findMany({ where: { shop, token: { in: tokens } }, select: { token: true, status: true, itemCount: true } }),
    prisma.checkout.findMany({
      where: { shop, OR: [{ cartToken: { in: tokens } }, { token: { in: tokens } }] },
      select: { token: true, cartToken: true, completedAt: true, orderId: true },
    }),
  ]);
  const cartOf = new Map(carts.map((c) => [c.token, c]));
  const checkoutsOf = (token: string) => checkouts.filter((c) => c.cartToken === token || c.token === token);
  const checkoutTokens = distinct(checkouts.map((c) => c.token));
  const orders = await prisma.order.findMany({
    where: { shop, OR: [{ cartToken: { in: tokens } }, ...(checkoutTokens.length ? [{ checkoutToken: { in: checkoutTokens } }] : [])] },
    select: { cartToken: true, checkoutToken: true },
  });
  return rows.map(({ cartToken }) => {
    if (!cartToken) return no("cart_unknown");
    const cart = cartOf.get(cartToken);
    if (cart?.status === "converted") return no("cart_converted");
    if (cart && (cart.status === "emptied" || cart.itemCount <= 0)) return no("cart_emptied");
    const mine = checkoutsOf(cartToken);
    if (!cart && mine.length === 0) return no("cart_unknown");
    if (mine.some((c) => c.completedAt || c.orderId)) return no("checkout_completed");
    const mineTokens = new Set(mine.map((c) => c.token));
    const ordered = orders.some((o) => o.cartToken === cartToken || (o.checkoutToken !== null && mineTokens.has(o.checkoutToken)));
    return ordered ? no("order_placed") : OK;
  });
}

async function recheckBackInStocks(shop: string, rows: RecheckInput[]): Promise<RecheckResult[]> {
  const ids = distinct(rows.map((r) => r.variantId));
  const variants = ids.length
    ? await prisma.variant.findMany({
        where: { shop, id: { in: ids } },
        select: { id: true, available: true, inventoryPolicy: true, inventoryTracked: true },
      })
    : [];
  const byId = new Map(variants.map((v) => [v.id, v]));
  return rows.map(({ variantId }) => {
    if (!variantId) return no("variant_unknown");
    const variant = byId.get(variantId);
    if (!variant) return no("variant_unknown");
    if (!variant.inventoryTracked || variant.inventoryPolicy === "continue") return OK;
    if (variant.available !== null && variant.available > 0) return OK;
    return no("sold_out_again");
  });
}

async function recheckUpsells(shop: string, rows: RecheckInput[]): Promise<RecheckResult[]> {
  const ids = distinct(rows.map((r) => r.variantId));
  const variants = ids.length ? await prisma.variant.findMany({ where: { shop, id: { in: ids } }, select: { id: true, productId: true } }) : [];
  const productIds = distinct(variants.map((v) => v.productId));
  const products = productIds.length
    ? await prisma.product.findMany({ where: { shop, id: { in: productIds } }, select: { id: true, status: true } })
    : [];
  const variantOf = new Map(variants.map((v) => [v.id, v]));
  const productOfId = new Map(products.map((p) => [p.id, p]));
  return rows.map(({ variantId }) => {
    if (!variantId) return no("product_unknown");
    const variant = variantOf.get(variantId);
    if (!variant) return no("product_unknown");
    const product = productOfId.get(variant.productId);
    if (!product) return no("product_unknown");
    if (product.status && product.status.toLowerCase() !== "active") return no("product_not_active");
    return OK;
  });
}

async function recheckPromotions(shop: string, rows: RecheckInput[]): Promise<RecheckResult[]> {
  const ids = distinct(rows.map((r) => r.campaignId));
  const campaigns = ids.length ? await prisma.campaign.findMany({ where: { shop, id: { in: ids } }, select: { id: true, status: true } }) : [];
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  return rows.map(({ campaignId }) => {
    if (!campaignId) return no("campaign_unknown");
    const campaign = byId.get(campaignId);
    if (!campaign) return no("campaign_unknown");
    if (campaign.status === "cancelled") return no("campaign_cancelled");
    return OK;
  });
}

async function recheckAppointments(shop: string, rows: RecheckInput[], now: Date): Promise<RecheckResult[]> {
  const ids = distinct(rows.map((r) => r.orderId));
  const orders = ids.length ? await prisma.order.findMany({ where: { shop, id: { in: ids } }, select: { id: true, cancelledAt: true } }) : [];
  const byId = new Map(orders.map((o) => [o.id, o]));
  return rows.map(({ orderId, expiresAt }) => {
    if (!orderId) return no("order_unknown");
    if (!expiresAt || expiresAt.getTime() <= now.getTime()) return no("booking_passed");
    const order = byId.get(orderId);
    if (!order) return no("order_unknown");
    if (order.cancelledAt) return no("order_cancelled");
    return OK;
  });
}
