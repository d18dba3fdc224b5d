import { randomUUID } from "node:crypto";
import type { Prisma } from "@prisma/client";
import prisma from "../db.server";
import { DAY } from "./plan";

/**
 * Credits an order to the last Rebound message the buyer clicked within the attribution window
 * (ShopSettings.attributionWindowDays after the click). The buyer is recognised by the cart or
 * checkout the message was about, or as the same subscriber (by id, phone or customer).
 *
 * A message that was delivered but not clicked earns no credit here: a view is weak evidence
 * and WhatsApp read receipts can be turned off, so crediting it would inflate revenue. What
 * the messages cause beyond clicks shows as lift against the control group
 * (docs/decisions/010-attribution-last-click.md).
 */
export interface AttributionOutcome {
  attributed: boolean;
  notificationId?: string;
  matchedBy?: string;
}

const DEFAULT_WINDOW_DAYS = 5;

export async function attributeOrder(shop: string, orderId: string): Promise<AttributionOutcome> {
  const order = await prisma.order.findUnique({ where: { shop_id: { shop, id: orderId } } });
  if (!order || order.cancelledAt) return { attributed: false };
  const existing = await prisma.attribution.findUnique({ where: { shop_orderId: { shop, orderId } } });
  if (existing) return { attributed: true, notificationId: existing.notificationId ?? undefined, matchedBy: existing.matchedBy };

  const settings = await prisma.shopSettings.findUnique({ where: { shop }, select: { attributionWindowDays: true } });
  const windowDays = settings?.attributionWindowDays ?? DEFAULT_WINDOW_DAYS;
  const since = new Date(order.placedAt.getTime() - windowDays * DAY);

  const bySubscriber = new Map<string, string>();
  if (order.subscriberId) bySubscriber.set(order.subscriberId, "phone");
  if (order.phone) {
    const s = await prisma.subscriber.findUnique({ where: { shop_phone: { shop, phone: order.phone } }, select: { id: true } });
    if (s && !bySubscriber.has(s.id)) bySubscriber.set(s.id, "phone");
  }
  if (order.customerId) {
    const list = await prisma.subscriber.findMany({ where: { shop, customerId: order.customerId }, select: { id: true } });
    for (const s of list) if (!bySubscriber.has(s.id)) bySubscriber.set(s.id, "customer");
  }

  const tokens = [order.cartToken, order.checkoutToken].filter((t): t is string => !!t);
  const who: Prisma.NotificationWhereInput[] = [
    ...(tokens.length ? [{ cartToken: { in: tokens } }] : []),
    ...(bySubscriber.size ? [{ subscriberId: { in: [...bySubscriber.keys()] } }] : []),
  ];
  if (who.length === 0) return { attributed: false };

  const click = await prisma.click.findFirst({
    where: {
      shop,
      clickedAt: { gte: since, lte: order.placedAt },
      link: { shop },
      notificationId: {
        in: (
          await prisma.notification.findMany({
            where: { shop, clickedAt: { not: null }, OR: who },
            select: { id: true },
          })
        ).map((n) => n.id),
      },
    },
    orderBy: { clickedAt: "desc" },
  });
  if (!click) return { attributed: false };
  const notification = await prisma.notification.findFirstOrThrow({ where: { shop, id: click.notificationId } });
  const matchedBy =
    notification.cartToken && notification.cartToken === order.cartToken
      ? "cart"
      : notification.cartToken && notification.cartToken === order.checkoutToken
        ? "checkout"
        : (bySubscriber.get(notification.subscriberId ?? "") ?? "phone");

  // Written only while the order is not cancelled, read in the same statement: a cancellation
  // that commits first wins here, and one that commits later withdraws this row (below).
  const written = await prisma.$executeRaw`
    INSERT INTO "Attribution" (id, shop, "orderId", "notificationId", flow, step, "campaignId", revenue, currency, "matchedBy", "attributedAt")
    SELECT ${randomUUID()}, o.shop, o.id, ${notification.id}, CAST(${notification.flow} AS "Flow"), ${notification.step},
           ${notification.campaignId}, o."totalPrice", o.currency, ${matchedBy}, o."placedAt"
      FROM "Order" o
     WHERE o.shop = ${shop} AND o.id = ${orderId} AND o."cancelledAt" IS NULL
    ON CONFLICT (shop, "orderId") DO NOTHING`;
  if (written === 0 && !(await prisma.attribution.findUnique({ where: { shop_orderId: { shop, orderId } } }))) return { attributed: false };
  return { attributed: true, notificationId: notification.id, matchedBy };
}

/**
 * A cancelled order earned nothing: its credit is withdrawn, so revenue per flow, step and
 * campaign counts only orders that stand. Runs after the cancellation is stored, so a credit
 * written concurrently (before it) is removed here and one written after it is never made.
 */
export async function withdrawAttribution(shop: string, orderId: string): Promise<number> {
  return (await prisma.attribution.deleteMany({ where: { shop, orderId } })).count;
}
