import type { Db } from "./ledger.server";

/**
 * Which subscriber asked, from the cart block or drawer, to be reminded about this cart. The
 * opt-in records the cart token in ConsentEvent.context and sets Cart.subscriberId when the cart
 * row exists; a carts/create webhook that arrives after the opt-in (Shopify delivers late and out
 * of order) finds the subscriber here. An opt-out after that opt-in unlinks the cart.
 */
export async function subscriberIdForCart(db: Db, shop: string, cartToken: string): Promise<string | null> {
  const event = await db.consentEvent.findFirst({
    where: {
      shop,
      kind: { in: ["opt_in", "re_opt_in"] },
      source: { in: ["cart_block", "cart_embed"] },
      context: { path: ["cartToken"], equals: cartToken },
      subscriber: { shop, status: { not: "unsubscribed" } },
    },
    orderBy: { occurredAt: "desc" },
    select: { subscriberId: true },
  });
  return event?.subscriberId ?? null;
}
