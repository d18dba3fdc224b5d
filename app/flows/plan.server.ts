import type { Prisma } from "@prisma/client";
import prisma from "../db.server";
import { env } from "../env.server";
import { cancelNotifications, scheduleNotifications } from "../outbox/schedule.server";
import { enqueueTask } from "../tasks/queue.server";
import { planKeys, type FlowPlan, type PlanKeys } from "./plan";

type Db = Prisma.TransactionClient | typeof prisma;

let keys: PlanKeys | undefined;
/** Link tokens and discount codes are keyed with the app secret (see plan.ts). */
export function appPlanKeys(): PlanKeys {
  keys ??= planKeys(env().SHOPIFY_API_SECRET);
  return keys;
}

export const DISCOUNT_TASK = "flows.discount_create";

/**
 * Writes a plan: cancellations first (so a re-plan replaces), then the messages through the
 * outbox, then, for rows that are new, the control-group marks, tracked links and discount
 * tasks. Call inside a transaction so a crash leaves either the old plan or the new one.
 */
export async function commitPlan(shop: string, plan: FlowPlan, db: Db = prisma): Promise<{ scheduled: number; cancelled: number }> {
  let cancelled = 0;
  for (const c of plan.cancellations) {
    if (c.keep && c.keep.length > 0) {
      const stale = await db.notification.findMany({
        where: { shop, status: "scheduled", ...predicateWhere(c.predicate), dedupKey: { notIn: c.keep } },
        select: { id: true },
      });
      if (stale.length === 0) continue;
      cancelled += await cancelById(shop, stale.map((s) => s.id), c.reason, db);
    } else {
      cancelled += await cancelNotifications(shop, c.predicate, c.reason, db);
    }
  }
  const messages = plan.messages.filter((m) => m.notification.shop === shop);
  if (messages.length === 0) return { scheduled: 0, cancelled };
  const scheduled = await scheduleNotifications(messages.map((m) => m.notification), db);
  const rows = await db.notification.findMany({
    where: { shop, dedupKey: { in: messages.map((m) => m.notification.dedupKey) } },
    select: { id: true, dedupKey: true, status: true },
  });
  const byKey = new Map(rows.map((r) => [r.dedupKey, r]));

  const heldOut = messages.filter((m) => m.heldOut && byKey.get(m.notification.dedupKey)?.status === "scheduled");
  if (heldOut.length > 0) {
    const keys = heldOut.map((m) => m.notification.dedupKey);
    await db.notification.updateMany({
      where: { shop, status: "scheduled", dedupKey: { in: keys } },
      data: { status: "held_out", decision: "skip", decisionReason: "holdout" },
    });
    await db.holdoutAssignment.createMany({
      data: heldOut.map((m) => ({ shop, flow: m.notification.flow, subscriberId: m.notification.subscriberId, dedupKey: m.notification.dedupKey })),
      skipDuplicates: true,
    });
  }

  const links = messages.flatMap((m) => {
    const row = byKey.get(m.notification.dedupKey);
    return m.link && row ? [{ token: m.link.token, shop, notificationId: row.id, destination: m.link.destination }] : [];
  });
  if (links.length > 0) await db.trackedLink.createMany({ data: links, skipDuplicates: true });

  for (const m of messages) {
    const row = byKey.get(m.notification.dedupKey);
    if (!m.discount || m.heldOut || row?.status !== "scheduled") continue;
    await enqueueTask(
      {
        shop,
        kind: DISCOUNT_TASK,
        dedupKey: `discount:${m.discount.code}`,
        payload: {
          notificationId: row.id,
          code: m.discount.code,
          kind: m.discount.kind,
          value: m.discount.value,
          endsAt: m.discount.endsAt.toISOString(),
        },
      },
      db,
    );
  }
  return { scheduled, cancelled };
}

function predicateWhere(p: FlowPlan["cancellations"][number]["predicate"]): Prisma.NotificationWhereInput {
  return {
    ...(p.flow ? { flow: Array.isArray(p.flow) ? { in: p.flow } : p.flow } : {}),
    ...(p.subscriberId ? { subscriberId: p.subscriberId } : {}),
    ...(p.cartToken ? { cartToken: p.cartToken } : {}),
    ...(p.variantId ? { variantId: p.variantId } : {}),
    ...(p.orderId ? { orderId: p.orderId } : {}),
    ...(p.campaignId ? { campaignId: p.campaignId } : {}),
  };
}

async function cancelById(shop: string, ids: string[], reason: string, db: Db): Promise<number> {
  const done = await db.notification.updateManyAndReturn({
    where: { shop, id: { in: ids }, status: "scheduled" },
    data: { status: "cancelled", decision: "skip", decisionReason: reason },
    select: { id: true },
  });
  if (done.length > 0) {
    await db.notificationEvent.createMany({
      data: done.map((row) => ({ shop, notificationId: row.id, kind: "cancelled", detail: { reason } })),
    });
  }
  return done.length;
}
