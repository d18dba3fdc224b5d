import { Prisma } from "@prisma/client";
import prisma, { type Db } from "../db.server";
import { cancelWhere } from "./schedule.server";

/**
 * The outbox's part of uninstalls, privacy requests and retention: what happens to messages
 * and their timelines when a shop leaves, a shopper is erased, or a message is past keeping.
 */

/**
 * The app was uninstalled: nothing more goes out for the shop. Every message not yet sent is
 * cancelled, with its "cancelled" event like any other cancellation.
 */
export async function cancelShopNotifications(db: Db, shop: string, reason: string): Promise<number> {
  return cancelWhere(db, shop, { shop, status: { in: ["scheduled", "sending"] } }, reason);
}

/**
 * A shopper is erased (customers/redact): their messages stay for the merchant's counts, without
 * anything that names them. `storefront` replaces link destinations, which can reopen the
 * shopper's checkout with their address.
 */
export async function eraseShopperFromNotifications(tx: Prisma.TransactionClient, shop: string, notificationIds: string[], storefront: string) {
  if (notificationIds.length === 0) return;
  // Timeline details can quote the message or the shopper's reply.
  await tx.notificationEvent.updateMany({
    where: { shop, notificationId: { in: notificationIds } },
    data: { detail: Prisma.DbNull },
  });
  // Template parameters hold names, cart contents and links made for this person.
  await tx.notification.updateMany({
    where: { shop, id: { in: notificationIds } },
    data: { subscriberId: null, params: {}, errorDetails: null, recipientWaId: null },
  });
  // Links not tapped yet have no TrackedLink row; the one made on a first tap copies this.
  await tx.notification.updateMany({
    where: { shop, id: { in: notificationIds }, linkDestination: { not: null } },
    data: { linkDestination: storefront },
  });
}

/**
 * One retention batch: up to `limit` finished messages (not `scheduled` or `sending`) whose last
 * activity is before the cutoff go, with their tracked links; events and clicks go by cascade
 * and are counted before, in the same snapshot. The creation column is named on its own so its
 * index narrows the search; FOR UPDATE SKIP LOCKED lets any number of processes sweep at once.
 */
export async function deleteFinishedNotifications(shop: string, cutoff: Date, limit: number): Promise<Array<Record<string, bigint | number>>> {
  return prisma.$queryRaw`
    WITH doomed AS (
      SELECT id FROM "Notification"
       WHERE shop = ${shop} AND "createdAt" < ${cutoff} AND status NOT IN ('scheduled', 'sending')
         AND GREATEST("createdAt", "updatedAt", "sentAt", "deliveredAt", "readAt", "failedAt", "clickedAt") < ${cutoff}
       LIMIT ${limit} FOR UPDATE SKIP LOCKED),
    events AS (SELECT count(*) AS c FROM "NotificationEvent" WHERE "notificationId" IN (SELECT id FROM doomed)),
    clicks AS (SELECT count(*) AS c FROM "Click" WHERE shop = ${shop} AND "notificationId" IN (SELECT id FROM doomed)),
    links AS (DELETE FROM "TrackedLink" WHERE shop = ${shop} AND "notificationId" IN (SELECT id FROM doomed) RETURNING 1),
    gone AS (DELETE FROM "Notification" WHERE shop = ${shop} AND id IN (SELECT id FROM doomed) RETURNING 1)
    SELECT (SELECT count(*) FROM gone) AS messages, (SELECT c FROM events) AS "messageEvents",
           (SELECT count(*) FROM links) AS "trackedLinks", (SELECT c FROM clicks) AS clicks`;
}
