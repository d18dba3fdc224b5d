import { Prisma } from "@prisma/client";
import prisma, { type Db } from "../db.server";
import type { CancelPredicate, PlannedNotification } from "./types";

/**
 * Puts planned messages in the outbox. A (shop, dedupKey) already present is left alone, so
 * re-planning after a replayed webhook or a retried task changes nothing. Returns how many rows
 * were new. No event is written for the planning itself: a row's creation time is when it was
 * planned, and the message timeline shows it from there (as it does for a fan-out's rows).
 */
export async function scheduleNotifications(planned: PlannedNotification[], db: Db = prisma): Promise<number> {
  if (planned.length === 0) return 0;
  const rows = planned.map((p) => ({
    shop: p.shop,
    flow: p.flow,
    dedupKey: p.dedupKey,
    subscriberId: p.subscriberId,
    sendAt: p.sendAt,
    expiresAt: p.expiresAt ?? null,
    templateName: p.templateName,
    templateLanguage: p.templateLanguage,
    params: p.params as Prisma.InputJsonValue,
    step: p.step ?? 0,
    cartToken: p.cartToken ?? null,
    variantId: p.variantId ?? null,
    orderId: p.orderId ?? null,
    campaignId: p.campaignId ?? null,
  }));
  const created = await db.notification.createMany({ data: rows, skipDuplicates: true });
  return created.count;
}

/** The rows a predicate names, of one shop. */
function predicateFilter(shop: string, where: CancelPredicate): Prisma.NotificationWhereInput {
  return {
    shop,
    ...(where.flow ? { flow: Array.isArray(where.flow) ? { in: where.flow } : where.flow } : {}),
    ...(where.subscriberId ? { subscriberId: where.subscriberId } : {}),
    ...(where.cartToken ? { cartToken: where.cartToken } : {}),
    ...(where.variantId ? { variantId: where.variantId } : {}),
    ...(where.orderId ? { orderId: where.orderId } : {}),
    ...(where.campaignId ? { campaignId: where.campaignId } : {}),
  };
}

/**
 * Cancels what is no longer true (cart converted, shopper opted out, variant sold out again).
 * Only rows not yet handed to WhatsApp change; the gate re-checks state at send time anyway.
 * With `keep`, rows with those dedup keys stay: a re-plan replaces the rest of its own plan.
 */
export async function cancelNotifications(
  shop: string,
  where: CancelPredicate,
  reason: string,
  db: Db = prisma,
  keep: string[] = [],
): Promise<number> {
  const filter: Prisma.NotificationWhereInput = {
    ...predicateFilter(shop, where),
    status: "scheduled",
    ...(keep.length > 0 ? { dedupKey: { notIn: keep } } : {}),
  };
  return cancelWhere(db, shop, filter, reason);
}

/** Cancels the rows a filter names, each with its "cancelled" event: every cancellation's one statement pair. */
export async function cancelWhere(db: Db, shop: string, where: Prisma.NotificationWhereInput, reason: string): Promise<number> {
  const cancelled = await db.notification.updateManyAndReturn({
    where,
    data: { status: "cancelled", decision: "skip", decisionReason: reason },
    select: { id: true },
  });
  if (cancelled.length > 0) {
    await db.notificationEvent.createMany({
      data: cancelled.map((row) => ({ shop, notificationId: row.id, kind: "cancelled", detail: { reason } })),
    });
  }
  return cancelled.length;
}

/**
 * Puts scheduled messages in the flow's control group: they are kept (the row says what would
 * have gone) and never sent. Returns how many changed.
 */
export async function holdOutNotifications(shop: string, dedupKeys: string[], db: Db = prisma): Promise<number> {
  if (dedupKeys.length === 0) return 0;
  const { count } = await db.notification.updateMany({
    where: { shop, status: "scheduled", dedupKey: { in: dedupKeys } },
    data: { status: "held_out", decision: "skip", decisionReason: "holdout" },
  });
  return count;
}

/**
 * Messages that wait for a reason that no longer holds (the messaging limit rose, Meta lifted a
 * pause) become due now instead of at the time the gate guessed; the gate decides again.
 */
export async function bringForward(db: Db, shop: string, reasons: string[], now: Date): Promise<number> {
  const moved = await db.notification.updateMany({
    where: { shop, status: "scheduled", decision: "defer", decisionReason: { in: reasons }, sendAt: { gt: now } },
    data: { sendAt: now },
  });
  return moved.count;
}
