import prisma from "../db.server";
import { clickWrites } from "../outbox/activity.server";
import { clickCountable } from "./click-limits.server";
import { notificationOfLinkToken } from "./link-token.server";
import { withUtm } from "./plan";

/** Tokens of links written with their message (TrackedLink rows made up front). */
const TOKEN = /^[0-9a-f]{32}$/;

interface Link {
  shop: string;
  notificationId: string;
  destination: string;
  /** false: a derived token tapped for the first time, whose TrackedLink row is still to be made */
  stored: boolean;
}

/**
 * The link behind a token: its TrackedLink row, or for a derived token (the notification id
 * plus its MAC, minted by a fan-out) the notification's linkDestination. Anything else is null.
 */
async function findLink(token: string): Promise<Link | null> {
  const derivedFor = TOKEN.test(token) ? null : notificationOfLinkToken(token);
  if (!TOKEN.test(token) && !derivedFor) return null;
  const link = await prisma.trackedLink.findUnique({ where: { token } });
  if (link) return { shop: link.shop, notificationId: link.notificationId, destination: link.destination, stored: true };
  if (!derivedFor) return null;
  const notification = await prisma.notification.findUnique({
    where: { id: derivedFor },
    select: { shop: true, linkDestination: true },
  });
  if (!notification?.linkDestination) return null;
  return { shop: notification.shop, notificationId: derivedFor, destination: notification.linkDestination, stored: false };
}

/**
 * A tap on a message's link: records the click (every one, for the timeline; the first sets
 * Notification.clickedAt, which attribution keys on) and says where to send the shopper.
 * Returns null for a token we never issued, so the route answers 404 and records nothing.
 * A fetch by a crawler (link previews, security scanners) is redirected but not counted: it is
 * not the shopper, and counting it would credit orders to messages nobody opened. Nor does it
 * make a derived token's TrackedLink row: that waits for the first counted tap. Taps past the
 * per-link and per-address bounds (./click-limits.server.ts) are redirected and not written.
 */
export async function recordClick(
  token: string,
  now: Date,
  options: { automated?: boolean; clientAddress?: string | null } = {},
): Promise<{ destination: string } | null> {
  const link = await findLink(token);
  if (!link) return null;
  const notification = await prisma.notification.findFirst({
    where: { shop: link.shop, id: link.notificationId },
    select: { id: true, flow: true, step: true, campaignId: true },
  });
  if (!notification) return null;
  const destination = withUtm(link.destination, notification.flow, new URL(link.destination).searchParams.get("utm_content"));
  if (options.automated) return { destination };
  // A flood of one link (or from one address) is redirected but not written past a bound.
  if (!(await clickCountable(link.shop, token, options.clientAddress ?? null, now))) return { destination };
  await prisma.$transaction([
    // Two first taps at once both get here: the row is made once, and both clicks count.
    ...(link.stored
      ? []
      : [
          prisma.trackedLink.createMany({
            data: [{ token, shop: link.shop, notificationId: link.notificationId, destination: link.destination, createdAt: now }],
            skipDuplicates: true,
          }),
        ]),
    prisma.click.create({ data: { shop: link.shop, token, notificationId: link.notificationId, clickedAt: now } }),
    ...clickWrites(link.shop, link.notificationId, now),
  ]);
  return { destination };
}
