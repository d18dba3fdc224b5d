import prisma from "../db.server";
import { withUtm } from "./plan";

const TOKEN = /^[0-9a-f]{32}$/;

/**
 * A tap on a message's link: records the click (every one, for the timeline; the first sets
 * Notification.clickedAt, which attribution keys on) and says where to send the shopper.
 * Returns null for a token we never issued, so the route answers 404 and records nothing.
 * A fetch by a crawler (link previews, security scanners) is redirected but not counted: it is
 * not the shopper, and counting it would credit orders to messages nobody opened.
 */
export async function recordClick(
  token: string,
  now: Date,
  options: { automated?: boolean } = {},
): Promise<{ destination: string } | null> {
  if (!TOKEN.test(token)) return null;
  const link = await prisma.trackedLink.findUnique({ where: { token } });
  if (!link) return null;
  const notification = await prisma.notification.findFirst({
    where: { shop: link.shop, id: link.notificationId },
    select: { id: true, flow: true, step: true, campaignId: true },
  });
  if (!notification) return null;
  const destination = withUtm(link.destination, notification.flow, new URL(link.destination).searchParams.get("utm_content"));
  if (options.automated) return { destination };
  await prisma.$transaction([
    prisma.click.create({ data: { shop: link.shop, token, notificationId: link.notificationId, clickedAt: now } }),
    prisma.notification.updateMany({
      where: { shop: link.shop, id: link.notificationId, clickedAt: null },
      data: { clickedAt: now },
    }),
    prisma.notificationEvent.create({
      data: { shop: link.shop, notificationId: link.notificationId, kind: "clicked", at: now },
    }),
  ]);
  return { destination };
}
