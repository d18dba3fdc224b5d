import type { Prisma } from "@prisma/client";
import { z } from "zod";
import { normaliseShopperPhone } from "../subscribers/shopper-link.server";
import { optionalText, shopifyId } from "../webhooks/shopify-fields";

/**
 * Everything Rebound holds about one shopper of one shop, found the ways Shopify identifies them
 * in compliance webhooks: customer id, email, phone, and the orders named in the request.
 * https://shopify.dev/docs/apps/build/privacy-law-compliance
 */
export const privacySubject = z.object({
  id: shopifyId.nullish(),
  email: optionalText,
  phone: optionalText,
});

export interface Shopper {
  customerId: string | null;
  email: string | null;
  /** As Shopify sent it */
  phone: string | null;
  orderIds: string[];
}

export interface ShopperRecords {
  /** The phone forms to look for: as given and E.164 */
  phones: string[];
  subscriberIds: string[];
  orderIds: string[];
  checkoutTokens: string[];
  cartTokens: string[];
  notificationIds: string[];
}

const unique = (values: Array<string | null | undefined>) =>
  [...new Set(values.filter((v): v is string => typeof v === "string" && v.length > 0))];

export async function findShopperRecords(
  tx: Prisma.TransactionClient,
  shop: string,
  shopper: Shopper,
): Promise<ShopperRecords> {
  const e164 = await normaliseShopperPhone(tx, shop, shopper.phone);
  const phones = unique([shopper.phone, e164]);
  const email = shopper.email ? { equals: shopper.email, mode: "insensitive" as const } : undefined;
  const contact = (extra: object[] = []) => [
    ...(shopper.customerId ? [{ customerId: shopper.customerId }] : []),
    ...(email ? [{ email }] : []),
    ...(phones.length > 0 ? [{ phone: { in: phones } }] : []),
    ...extra,
  ];

  const subscriberIds = contact().length
    ? (await tx.subscriber.findMany({ where: { shop, OR: contact() }, select: { id: true } })).map((s) => s.id)
    : [];
  const bySubscriber = subscriberIds.length > 0 ? [{ subscriberId: { in: subscriberIds } }] : [];

  const orderFilters = contact([...bySubscriber, ...(shopper.orderIds.length ? [{ id: { in: shopper.orderIds } }] : [])]);
  const orders = orderFilters.length
    ? await tx.order.findMany({ where: { shop, OR: orderFilters }, select: { id: true, cartToken: true, checkoutToken: true } })
    : [];

  const orderCheckouts = unique(orders.map((o) => o.checkoutToken));
  const checkoutFilters = contact([...bySubscriber, ...(orderCheckouts.length ? [{ token: { in: orderCheckouts } }] : [])]);
  const checkouts = checkoutFilters.length
    ? await tx.checkout.findMany({ where: { shop, OR: checkoutFilters }, select: { token: true, cartToken: true } })
    : [];

  const knownCarts = unique([...orders.map((o) => o.cartToken), ...checkouts.map((c) => c.cartToken)]);
  const cartFilters = [
    ...(shopper.customerId ? [{ customerId: shopper.customerId }] : []),
    ...bySubscriber,
    ...(knownCarts.length ? [{ token: { in: knownCarts } }] : []),
  ];
  const carts = cartFilters.length
    ? await tx.cart.findMany({ where: { shop, OR: cartFilters }, select: { token: true } })
    : [];

  const orderIds = orders.map((o) => o.id);
  const cartTokens = carts.map((c) => c.token);
  const notificationFilters = [
    ...bySubscriber,
    ...(orderIds.length ? [{ orderId: { in: orderIds } }] : []),
    ...(cartTokens.length ? [{ cartToken: { in: cartTokens } }] : []),
  ];
  const notifications = notificationFilters.length
    ? await tx.notification.findMany({ where: { shop, OR: notificationFilters }, select: { id: true } })
    : [];

  return {
    phones,
    subscriberIds,
    orderIds,
    checkoutTokens: checkouts.map((c) => c.token),
    cartTokens,
    notificationIds: notifications.map((n) => n.id),
  };
}
