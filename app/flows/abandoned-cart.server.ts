import { z } from "zod";
import prisma from "../db.server";
import { planAbandonedCart, type AbandonedCartState, type CartLine, type ShopperState } from "./abandoned-cart";
import { loadFlowSetting } from "./flow-settings.server";
import { appPlanKeys, commitPlan } from "./plan.server";
import { findSubscriber } from "../subscribers/shopper-link.server";

const lineSchema = z.object({
  variantId: z.union([z.string(), z.number()]).transform(String),
  title: z.string().default(""),
  quantity: z.number().int().default(0),
  price: z.union([z.string(), z.number()]).transform(String).default("0"),
});
const linesSchema = z.array(z.unknown()).catch([]);

function readLines(value: unknown): CartLine[] {
  return linesSchema.parse(value).flatMap((raw) => {
    const line = lineSchema.safeParse(raw);
    return line.success ? [line.data] : [];
  });
}

const shopperSelect = { id: true, status: true, scope: true, marketingStoppedAt: true } as const;

/**
 * Re-plans the reminders for one cart (or a checkout without a cart) from the state as it is
 * now, whatever event prompted it: a cart update, a checkout update, a late replay. Reading the
 * current state rather than the event keeps the outcome the same when events arrive out of order.
 */
export async function replanAbandonedCart(
  shop: string,
  ref: { cartToken?: string; checkoutToken?: string },
  now: Date,
) {
  let cartToken = ref.cartToken ?? null;
  if (!cartToken && ref.checkoutToken) {
    const checkout = await prisma.checkout.findUnique({
      where: { shop_token: { shop, token: ref.checkoutToken } },
      select: { cartToken: true },
    });
    if (!checkout) return { scheduled: 0, cancelled: 0 };
    cartToken = checkout.cartToken;
  }
  const cart = cartToken
    ? await prisma.cart.findUnique({ where: { shop_token: { shop, token: cartToken } } })
    : null;
  const checkouts = await prisma.checkout.findMany({
    where: cart ? { shop, cartToken: cart.token } : { shop, token: ref.checkoutToken ?? "" },
    orderBy: { shopifyUpdatedAt: "desc" },
  });
  if (!cart && checkouts.length === 0) return { scheduled: 0, cancelled: 0 };
  const checkout = checkouts[0] ?? null;
  // Reminders hang on the cart when there is one, so a cart and its checkout share one sequence.
  const token = cart?.token ?? checkout!.token;

  const checkoutTokens = checkouts.map((c) => c.token);
  const order = await prisma.order.findFirst({
    where: {
      shop,
      OR: [
        ...(cart ? [{ cartToken: cart.token }] : []),
        ...(checkoutTokens.length ? [{ checkoutToken: { in: checkoutTokens } }] : []),
      ],
    },
    select: { id: true },
  });
  const ordered = !!order || checkouts.some((c) => c.completedAt || c.orderId);

  const lastChangedAt = new Date(
    Math.max(cart?.shopifyUpdatedAt.getTime() ?? 0, checkout?.shopifyUpdatedAt.getTime() ?? 0),
  );
  // The checkout's lines are the newer picture once the shopper reached checkout.
  const useCheckout = !!checkout && (!cart || checkout.shopifyUpdatedAt >= cart.shopifyUpdatedAt);
  const lines = readLines(useCheckout ? checkout!.lines : cart!.lines);

  const subscriber = await findShopper(shop, {
    subscriberId: cart?.subscriberId ?? checkout?.subscriberId ?? null,
    customerId: cart?.customerId ?? checkout?.customerId ?? null,
    phone: checkout?.phone ?? null,
  });

  const sent = await prisma.notification.findMany({
    where: { shop, flow: "abandoned_cart", cartToken: token, status: { in: ["sending", "sent", "delivered", "read"] } },
    select: { step: true },
  });

  const state: AbandonedCartState = {
    token,
    status: cart?.status ?? "open",
    lines,
    totalPrice: String(useCheckout ? checkout!.totalPrice : cart!.totalPrice),
    currency: (useCheckout ? checkout!.currency : cart!.currency) ?? (await shopCurrency(shop)),
    lastChangedAt,
    recoveryUrl: checkout?.recoveryUrl ?? null,
    ordered,
    sentSteps: sent.map((s) => s.step),
  };
  const setting = await loadFlowSetting(shop, "abandoned_cart");
  const plan = planAbandonedCart({ shop, cart: state, subscriber, setting, keys: appPlanKeys(), now });
  return prisma.$transaction((tx) => commitPlan(shop, plan, tx));
}

/** The subscriber a cart belongs to, by the one precedence of app/subscribers/shopper-link.server.ts. */
export function findShopper(
  shop: string,
  by: { subscriberId: string | null; customerId: string | null; phone: string | null },
): Promise<ShopperState | null> {
  return findSubscriber(prisma, shop, by, shopperSelect);
}

async function shopCurrency(shop: string): Promise<string | null> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { currency: true } });
  return row?.currency ?? null;
}
