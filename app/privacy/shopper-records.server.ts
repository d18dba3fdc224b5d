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
  /** Every phone that names the shopper: as Shopify sent it, E.164, and those found on their rows */
  phones: string[];
  emails: string[];
  customerIds: string[];
  subscriberIds: string[];
  orderIds: string[];
  checkoutTokens: string[];
  cartTokens: string[];
  notificationIds: string[];
}

/** Rounds of following links; each finds rows through what the previous one found. */
const MAX_ROUNDS = 8;

const unique = (values: Array<string | null | undefined>) =>
  [...new Set(values.filter((v): v is string => typeof v === "string" && v.length > 0))];

class Found {
  readonly sets = {
    phones: new Set<string>(),
    emails: new Set<string>(),
    customerIds: new Set<string>(),
    subscriberIds: new Set<string>(),
    orderIds: new Set<string>(),
    checkoutTokens: new Set<string>(),
    cartTokens: new Set<string>(),
  };
  grew = false;

  add(key: keyof Found["sets"], ...values: Array<string | null | undefined>) {
    for (const raw of values) {
      if (!raw) continue;
      const value = key === "emails" ? raw.toLowerCase() : raw;
      if (!this.sets[key].has(value)) {
        this.sets[key].add(value);
        this.grew = true;
      }
    }
  }

  list(key: keyof Found["sets"]) {
    return [...this.sets[key]];
  }
}

/**
 * Follows every link from what Shopify named to the rows that name the same person: the
 * customer id, email, phone and orders lead to orders and checkouts, those to their carts and
 * subscriber, the subscriber's phone and email to every other cart, checkout and order, and so on
 * until a round finds nothing new. So a shopper who opted in on the storefront (a subscriber with
 * a phone and no customer id) and later ordered as a Shopify customer is found from the customer
 * alone.
 */
export async function findShopperRecords(
  tx: Prisma.TransactionClient,
  shop: string,
  shopper: Shopper,
): Promise<ShopperRecords> {
  const found = new Found();
  found.add("phones", shopper.phone, await normaliseShopperPhone(tx, shop, shopper.phone));
  found.add("emails", shopper.email);
  found.add("customerIds", shopper.customerId);
  found.add("orderIds", ...shopper.orderIds);

  for (let round = 0; round < MAX_ROUNDS && found.grew; round++) {
    found.grew = false;
    const customerIds = found.list("customerIds");
    const phones = found.list("phones");
    const subscriberIds = found.list("subscriberIds");
    const orderIds = found.list("orderIds");
    const checkoutTokens = found.list("checkoutTokens");
    const cartTokens = found.list("cartTokens");
    // Emails compare as Shopify treats them, without regard to case.
    const emails = found.list("emails").map((email) => ({ email: { equals: email, mode: "insensitive" as const } }));
    const contact = [
      ...(customerIds.length ? [{ customerId: { in: customerIds } }] : []),
      ...emails,
      ...(phones.length ? [{ phone: { in: phones } }] : []),
      ...(subscriberIds.length ? [{ subscriberId: { in: subscriberIds } }] : []),
    ];

    const subscriberFilters = [
      ...(subscriberIds.length ? [{ id: { in: subscriberIds } }] : []),
      ...contact.filter((f) => !("subscriberId" in f)),
    ];
    for (const s of subscriberFilters.length
      ? await tx.subscriber.findMany({ where: { shop, OR: subscriberFilters }, select: { id: true, phone: true, email: true, customerId: true } })
      : []) {
      found.add("subscriberIds", s.id);
      found.add("phones", s.phone);
      found.add("emails", s.email);
      found.add("customerIds", s.customerId);
    }

    const orderFilters = [
      ...contact,
      ...(orderIds.length ? [{ id: { in: orderIds } }] : []),
      ...(checkoutTokens.length ? [{ checkoutToken: { in: checkoutTokens } }] : []),
      ...(cartTokens.length ? [{ cartToken: { in: cartTokens } }] : []),
    ];
    for (const o of orderFilters.length
      ? await tx.order.findMany({
          where: { shop, OR: orderFilters },
          select: { id: true, phone: true, email: true, customerId: true, subscriberId: true, cartToken: true, checkoutToken: true },
        })
      : []) {
      found.add("orderIds", o.id);
      found.add("phones", o.phone);
      found.add("emails", o.email);
      found.add("customerIds", o.customerId);
      found.add("subscriberIds", o.subscriberId);
      found.add("cartTokens", o.cartToken);
      found.add("checkoutTokens", o.checkoutToken);
    }

    const checkoutFilters = [
      ...contact,
      ...(checkoutTokens.length ? [{ token: { in: checkoutTokens } }] : []),
      ...(cartTokens.length ? [{ cartToken: { in: cartTokens } }] : []),
      ...(orderIds.length ? [{ orderId: { in: orderIds } }] : []),
    ];
    for (const c of checkoutFilters.length
      ? await tx.checkout.findMany({
          where: { shop, OR: checkoutFilters },
          select: { token: true, phone: true, email: true, customerId: true, subscriberId: true, cartToken: true, orderId: true },
        })
      : []) {
      found.add("checkoutTokens", c.token);
      found.add("phones", c.phone);
      found.add("emails", c.email);
      found.add("customerIds", c.customerId);
      found.add("subscriberIds", c.subscriberId);
      found.add("cartTokens", c.cartToken);
      found.add("orderIds", c.orderId);
    }

    const cartFilters = [
      ...(customerIds.length ? [{ customerId: { in: customerIds } }] : []),
      ...(subscriberIds.length ? [{ subscriberId: { in: subscriberIds } }] : []),
      ...(cartTokens.length ? [{ token: { in: cartTokens } }] : []),
      ...(checkoutTokens.length ? [{ checkoutToken: { in: checkoutTokens } }] : []),
    ];
    for (const c of cartFilters.length
      ? await tx.cart.findMany({ where: { shop, OR: cartFilters }, select: { token: true, customerId: true, subscriberId: true, checkoutToken: true } })
      : []) {
      found.add("cartTokens", c.token);
      found.add("customerIds", c.customerId);
      found.add("subscriberIds", c.subscriberId);
      found.add("checkoutTokens", c.checkoutToken);
    }
  }

  // Ids named in the request or on a row may have no row of their own here; keep only real ones.
  const orderIds = found.list("orderIds");
  const cartTokens = found.list("cartTokens");
  const subscriberIds = found.list("subscriberIds");
  const notificationFilters = [
    ...(subscriberIds.length ? [{ subscriberId: { in: subscriberIds } }] : []),
    ...(orderIds.length ? [{ orderId: { in: orderIds } }] : []),
    ...(cartTokens.length ? [{ cartToken: { in: cartTokens } }] : []),
  ];
  const notifications = notificationFilters.length
    ? await tx.notification.findMany({ where: { shop, OR: notificationFilters }, select: { id: true } })
    : [];
  const existing = async () => ({
    subscriberIds: subscriberIds.length
      ? (await tx.subscriber.findMany({ where: { shop, id: { in: subscriberIds } }, select: { id: true } })).map((r) => r.id)
      : [],
    orderIds: orderIds.length
      ? (await tx.order.findMany({ where: { shop, id: { in: orderIds } }, select: { id: true } })).map((r) => r.id)
      : [],
    checkoutTokens: found.sets.checkoutTokens.size
      ? (await tx.checkout.findMany({ where: { shop, token: { in: found.list("checkoutTokens") } }, select: { token: true } })).map((r) => r.token)
      : [],
    cartTokens: cartTokens.length
      ? (await tx.cart.findMany({ where: { shop, token: { in: cartTokens } }, select: { token: true } })).map((r) => r.token)
      : [],
  });

  return {
    phones: found.list("phones"),
    emails: unique(found.list("emails")),
    customerIds: found.list("customerIds"),
    ...(await existing()),
    notificationIds: notifications.map((n) => n.id),
  };
}
