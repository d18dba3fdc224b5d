import prisma, { type Db } from "../db.server";
import { env } from "../env.server";
import { cancelNotifications, holdOutNotifications, scheduleNotifications } from "../outbox/schedule.server";
import { enqueueTask } from "../tasks/queue.server";
import { planKeys, type FlowPlan, type PlanKeys } from "./plan";

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
    cancelled += await cancelNotifications(shop, c.predicate, c.reason, db, c.keep ?? []);
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
    await holdOutNotifications(shop, heldOut.map((m) => m.notification.dedupKey), db);
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
