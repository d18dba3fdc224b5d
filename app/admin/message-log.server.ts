import type { Flow, NotificationStatus, Prisma } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";
import { decodeCursor, encodeCursor } from "../shared/cursor";
import { maskPhone } from "../consent/phone.server";

/**
 * The message log: one shop's notifications, newest first, filtered by flow, status and date,
 * paged by keyset on (createdAt, id) so page N costs the same as page 1 at 100,000 rows.
 */
const PAGE_SIZE = 50;

const FLOWS = ["abandoned_cart", "back_in_stock", "reorder", "upsell", "promotion", "appointment", "optin_confirmation"] as const;
const STATUSES = ["scheduled", "sending", "sent", "delivered", "read", "failed", "skipped", "cancelled", "held_out"] as const;
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((s) => !Number.isNaN(Date.parse(s)));

export const messageFilters = z.object({
  flow: z.enum(FLOWS).optional().catch(undefined),
  status: z.enum(STATUSES).optional().catch(undefined),
  from: day.optional().catch(undefined),
  to: day.optional().catch(undefined),
});
export function parseMessageQuery(params: URLSearchParams) {
  const filters = messageFilters.parse({
    flow: params.get("flow") || undefined,
    status: params.get("status") || undefined,
    from: params.get("from") || undefined,
    to: params.get("to") || undefined,
  });
  const direction = params.get("before") ? ("before" as const) : ("after" as const);
  const cursor = decodeCursor(params.get(direction));
  return { filters, cursor, direction };
}

export interface MessageRow {
  id: string;
  flow: Flow;
  status: NotificationStatus;
  templateName: string;
  recipient: string | null;
  createdAt: string;
  sendAt: string;
  sentAt: string | null;
  errorCode: number | null;
}

export async function listMessages(shop: string, query: ReturnType<typeof parseMessageQuery>, pageSize = PAGE_SIZE) {
  const { filters, cursor, direction } = query;
  const where: Prisma.NotificationWhereInput = { shop };
  if (filters.flow) where.flow = filters.flow;
  if (filters.status) where.status = filters.status;
  if (filters.from || filters.to) {
    where.createdAt = {
      ...(filters.from ? { gte: new Date(`${filters.from}T00:00:00Z`) } : {}),
      ...(filters.to ? { lt: new Date(Date.parse(`${filters.to}T00:00:00Z`) + 86_400_000) } : {}),
    };
  }
  const newestFirst = direction === "after";
  const cmp = newestFirst ? "lt" : "gt";
  const page: Prisma.NotificationWhereInput = cursor
    ? { AND: [where, { OR: [{ createdAt: { [cmp]: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { [cmp]: cursor.id } }] }] }
    : where;
  const order = newestFirst ? "desc" : "asc";
  const rows = await prisma.notification.findMany({
    where: page,
    orderBy: [{ createdAt: order }, { id: order }],
    take: pageSize + 1,
    select: {
      id: true, flow: true, status: true, templateName: true, subscriberId: true,
      createdAt: true, sendAt: true, sentAt: true, errorCode: true,
    },
  });
  const more = rows.length > pageSize;
  const slice = rows.slice(0, pageSize);
  if (!newestFirst) slice.reverse();

  const subscriberIds = [...new Set(slice.map((r) => r.subscriberId).filter((id): id is string => Boolean(id)))];
  const phones = new Map(
    (await prisma.subscriber.findMany({ where: { shop, id: { in: subscriberIds } }, select: { id: true, phone: true } }))
      .map((s) => [s.id, maskPhone(s.phone)]),
  );
  const items: MessageRow[] = slice.map((r) => ({
    id: r.id,
    flow: r.flow,
    status: r.status,
    templateName: r.templateName,
    recipient: r.subscriberId ? phones.get(r.subscriberId) ?? null : null,
    createdAt: r.createdAt.toISOString(),
    sendAt: r.sendAt.toISOString(),
    sentAt: r.sentAt?.toISOString() ?? null,
    errorCode: r.errorCode,
  }));
  const first = slice[0];
  const last = slice[slice.length - 1];
  const hasNext = newestFirst ? more : Boolean(cursor);
  const hasPrevious = newestFirst ? Boolean(cursor) : more;
  return {
    items,
    filters,
    next: hasNext && last ? encodeCursor(last) : null,
    previous: hasPrevious && first ? encodeCursor(first) : null,
  };
}
