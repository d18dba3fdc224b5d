import type { Prisma } from "@prisma/client";
import prisma from "../db.server";

/**
 * What happens to a message after it is sent, besides its delivery statuses
 * (delivery-statuses.server.ts): the shopper taps its link, its discount code is created.
 */

/**
 * A tap on the message's link: the first sets clickedAt (attribution keys on it), every one adds
 * a "clicked" event. Returned as writes to run in the caller's batch transaction with the Click.
 */
export function clickWrites(shop: string, notificationId: string, at: Date): Prisma.PrismaPromise<unknown>[] {
  return [
    prisma.notification.updateMany({
      where: { shop, id: notificationId, clickedAt: null },
      data: { clickedAt: at },
    }),
    prisma.notificationEvent.create({ data: { shop, notificationId, kind: "clicked", at } }),
  ];
}

/** The message's discount code now exists in Shopify. */
export async function recordDiscountCreated(shop: string, notificationId: string, detail: { kind: string; value: number; endsAt: string }) {
  await prisma.notificationEvent.create({ data: { shop, notificationId, kind: "discount_created", detail } });
}
