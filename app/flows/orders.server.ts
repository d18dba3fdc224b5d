import prisma from "../db.server";
import type { AdminGraphql } from "../catalog/collections.server";
import { unauthenticated } from "../shopify.server";
import { cancelNotifications } from "../outbox/schedule.server";
import { findShopper, replanAbandonedCart } from "./abandoned-cart.server";
import { planAppointments } from "./appointment";
import { loadFlowSetting } from "./flow-settings.server";
import { withdrawAttribution } from "./attribution.server";
import { appPlanKeys, commitPlan } from "./plan.server";
import { recheckFlowStates } from "./recheck.server";
import { planReorder, type ReorderProduct } from "./reorder";
import { acceptsMarketing } from "./abandoned-cart";
import { chooseRecommendation, planUpsell, type Recommendation } from "./upsell";
import { collectionRecommendations, localRecommendations } from "./upsell.server";

export type AdminFor = (shop: string) => Promise<AdminGraphql>;
const offlineAdmin: AdminFor = async (shop) => (await unauthenticated.admin(shop)).admin;

async function loadOrder(shop: string, orderId: string) {
  return prisma.order.findUnique({ where: { shop_id: { shop, id: orderId } }, include: { lineItems: true } });
}
type LoadedOrder = NonNullable<Awaited<ReturnType<typeof loadOrder>>>;

const buyerOf = (shop: string, order: LoadedOrder) =>
  findShopper(shop, { subscriberId: order.subscriberId, customerId: order.customerId, phone: order.phone });

/**
 * orders/create: the cart is bought, so its reminders stop (and any other cart reminder for the
 * same shopper: nagging someone who just bought is what makes people reply STOP); a reorder
 * reminder for a product bought again is moot; booking reminders are planned.
 */
export async function settleOrderPlaced(shop: string, orderId: string, now: Date) {
  const order = await loadOrder(shop, orderId);
  if (!order) return;
  if (order.cartToken) await replanAbandonedCart(shop, { cartToken: order.cartToken }, now);
  if (order.checkoutToken) await replanAbandonedCart(shop, { checkoutToken: order.checkoutToken }, now);
  const buyer = await buyerOf(shop, order);
  if (!buyer) return;
  await cancelNotifications(shop, { flow: "abandoned_cart", subscriberId: buyer.id }, "order_placed");

  const pendingReorders = await prisma.notification.findMany({
    where: { shop, flow: "reorder", subscriberId: buyer.id, status: "scheduled" },
  });
  const checks = await recheckFlowStates(pendingReorders, now);
  for (const [i, n] of pendingReorders.entries()) {
    const check = checks[i];
    if (!check.ok && check.reason === "already_reordered") {
      // The buyer narrows it to their messages, which (shop, subscriberId, sentAt) finds.
      await cancelNotifications(
        shop,
        { flow: "reorder", subscriberId: buyer.id, orderId: n.orderId ?? undefined, variantId: n.variantId ?? undefined },
        "reordered",
      );
    }
  }

  await planBookingReminders(shop, order, buyer, now);
}

/**
 * Booking reminders from the order's line item properties. Both orders/create and orders/paid
 * carry them and Shopify may deliver either first, or one a day late, so both plan; the dedup
 * key makes the second a no-op.
 */
async function planBookingReminders(shop: string, order: LoadedOrder, buyer: Awaited<ReturnType<typeof buyerOf>>, now: Date) {
  const [setting, shopRow, sent] = await Promise.all([
    loadFlowSetting(shop, "appointment"),
    prisma.shop.findUnique({ where: { shop }, select: { timezone: true } }),
    prisma.notification.findMany({
      where: { shop, flow: "appointment", orderId: order.id, status: { in: ["sending", "sent", "delivered", "read"] } },
      select: { dedupKey: true },
    }),
  ]);
  const plan = planAppointments({
    shop,
    timeZone: shopRow?.timezone ?? "UTC",
    order: {
      id: order.id,
      cancelled: !!order.cancelledAt,
      lines: order.lineItems.map((l) => ({ lineItemId: l.id, title: l.title, properties: l.properties })),
    },
    subscriber: buyer,
    setting,
    sentKeys: sent.map((n) => n.dedupKey),
    now,
  });
  await prisma.$transaction((tx) => commitPlan(shop, plan, tx));
}

/**
 * orders/cancelled: what was planned from the order (the booking's reminder, the reorder nudge,
 * the cross-sell) is moot, and any revenue credited to a message for it is withdrawn. Read from the stored order, so a late event about an order that is
 * no longer cancelled (Shopify cannot un-cancel, but deliveries reorder) changes nothing.
 */
export async function settleOrderCancelled(shop: string, orderId: string) {
  const order = await prisma.order.findUnique({ where: { shop_id: { shop, id: orderId } }, select: { cancelledAt: true } });
  if (!order?.cancelledAt) return;
  await cancelNotifications(shop, { flow: ["appointment", "reorder", "upsell"], orderId }, "order_cancelled");
  await withdrawAttribution(shop, orderId);
}

/**
 * orders/paid: reorder and cross-sell reminders are planned from what was paid for, and booking
 * reminders in case orders/create has not arrived yet. The reorder plan is written first: the
 * cross-sell may need the Admin API, and a failed call retries the task (every plan is
 * idempotent) without holding the reorder reminder back.
 */
export async function planAfterOrderPaid(shop: string, orderId: string, now: Date, adminFor: AdminFor = offlineAdmin) {
  const order = await loadOrder(shop, orderId);
  if (!order) return;
  const buyer = await buyerOf(shop, order);
  if (buyer) await planBookingReminders(shop, order, buyer, now);
  const keys = appPlanKeys();
  const productIds = [...new Set(order.lineItems.map((l) => l.productId).filter((p): p is string => !!p))];
  const products = await prisma.product.findMany({ where: { shop, id: { in: productIds } } });
  const byId = new Map(products.map((p) => [p.id, p]));

  const reorderSetting = await loadFlowSetting(shop, "reorder");
  const gaps = reorderSetting.enabled ? await repeatGaps(shop, productIds) : new Map<string, number[]>();
  const reorderProducts: ReorderProduct[] = productIds.map((productId) => {
    const line = order.lineItems.find((l) => l.productId === productId)!;
    const product = byId.get(productId);
    return {
      productId,
      variantId: line.variantId,
      title: product?.title ?? line.title,
      handle: product?.handle ?? null,
      replenishmentDays: product?.replenishmentDays ?? null,
      repeatGapsDays: gaps.get(productId) ?? [],
    };
  });
  const reorderPlan = planReorder({
    shop,
    order: { id: order.id, placedAt: order.placedAt, cancelled: !!order.cancelledAt },
    products: reorderProducts,
    subscriber: buyer,
    setting: reorderSetting,
    keys,
    now,
  });

  await prisma.$transaction((tx) => commitPlan(shop, reorderPlan, tx));

  const upsellSetting = await loadFlowSetting(shop, "upsell");
  const { config } = upsellSetting;
  const owned = await ownedProducts(shop, order);
  const candidates = upsellSetting.enabled ? await coPurchased(shop, productIds, [...owned]) : [];
  const fallback = config.fallbackProductId ? ((await localRecommendations(shop, [config.fallbackProductId]))[0] ?? null) : null;
  // The collection is asked for only when nothing nearer is good enough and a message could go.
  const wantsCollection =
    upsellSetting.enabled && !!config.fallbackCollectionId && !order.cancelledAt && acceptsMarketing(buyer) &&
    !chooseRecommendation(candidates, fallback, owned, config.minCoPurchases);
  const collectionFallback = wantsCollection
    ? await collectionRecommendations(shop, config.fallbackCollectionId!, await adminFor(shop))
    : [];
  const upsellPlan = planUpsell({
    shop,
    order: { id: order.id, placedAt: order.placedAt, cancelled: !!order.cancelledAt, firstTitle: order.lineItems[0]?.title ?? "" },
    owned,
    candidates,
    fallback,
    collectionFallback,
    subscriber: buyer,
    setting: upsellSetting,
    keys,
    now,
  });
  await prisma.$transaction((tx) => commitPlan(shop, upsellPlan, tx));
}

/**
 * Days between consecutive purchases of each product by the same customer, from this shop's
 * orders: the evidence the reorder interval is learned from.
 */
export async function repeatGaps(shop: string, productIds: string[]): Promise<Map<string, number[]>> {
  if (productIds.length === 0) return new Map();
  const rows = await prisma.$queryRaw<Array<{ productId: string; gaps: number[] }>>`
    WITH purchases AS (
      SELECT DISTINCT li."productId", COALESCE(o."customerId", o."subscriberId") AS buyer, o.id, o."placedAt"
        FROM "OrderLineItem" li
        JOIN "Order" o ON o.shop = li.shop AND o.id = li."orderId"
       WHERE li.shop = ${shop} AND li."productId" = ANY(${productIds}::text[])
         AND o."cancelledAt" IS NULL AND COALESCE(o."customerId", o."subscriberId") IS NOT NULL
    ), gaps AS (
      SELECT "productId",
             EXTRACT(EPOCH FROM "placedAt" - lag("placedAt") OVER (PARTITION BY "productId", buyer ORDER BY "placedAt")) / 86400.0 AS days
        FROM purchases
    )
    SELECT "productId", array_agg(days::float8) AS gaps FROM gaps WHERE days IS NOT NULL GROUP BY "productId"`;
  return new Map(rows.map((r) => [r.productId, r.gaps.map(Number)]));
}

async function ownedProducts(shop: string, order: LoadedOrder): Promise<Set<string>> {
  const owned = new Set(order.lineItems.map((l) => l.productId).filter((p): p is string => !!p));
  const buyer = order.customerId ? { customerId: order.customerId } : order.subscriberId ? { subscriberId: order.subscriberId } : null;
  if (!buyer) return owned;
  const earlier = await prisma.orderLineItem.findMany({
    where: { shop, productId: { not: null }, order: { shop, ...buyer } },
    select: { productId: true },
    distinct: ["productId"],
  });
  for (const l of earlier) owned.add(l.productId!);
  return owned;
}

/** What this shop's customers buy together with these products, most often first. */
export async function coPurchased(shop: string, productIds: string[], exclude: string[], limit = 10): Promise<Recommendation[]> {
  if (productIds.length === 0) return [];
  const rows = await prisma.$queryRaw<Array<{ productId: string; variantId: string; orders: number }>>`
    SELECT other."productId", min(other."variantId") AS "variantId", count(DISTINCT other."orderId")::int AS orders
      FROM "OrderLineItem" mine
      JOIN "OrderLineItem" other ON other.shop = mine.shop AND other."orderId" = mine."orderId"
     WHERE mine.shop = ${shop} AND mine."productId" = ANY(${productIds}::text[])
       AND other."productId" IS NOT NULL AND other."variantId" IS NOT NULL
       AND NOT (other."productId" = ANY(${exclude}::text[]))
     GROUP BY other."productId"
     ORDER BY orders DESC, other."productId"
     LIMIT ${limit}`;
  const products = await prisma.product.findMany({ where: { shop, id: { in: rows.map((r) => r.productId) } } });
  const byId = new Map(products.map((p) => [p.id, p]));
  return rows.flatMap((r) => {
    const p = byId.get(r.productId);
    return p ? [{ productId: p.id, variantId: r.variantId, title: p.title, handle: p.handle, status: p.status, coPurchases: r.orders }] : [];
  });
}
