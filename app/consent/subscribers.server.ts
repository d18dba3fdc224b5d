import type { ConsentSource, Prisma, SubscriberStatus } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";
import { decodeCursor, encodeCursor } from "../shared/cursor";
import { listConsentEvents, lockSubscriber } from "./ledger.server";
import { recordOptOut } from "./opt-out.server";

/**
 * The merchant's view of subscribers: search, filters, keyset pages, history, CSV export and the
 * manual opt-out. Every query is scoped by the session's shop.
 */
const PAGE_SIZE = 50;
const STATUSES = ["pending", "subscribed", "unsubscribed"] as const;
const SOURCES = ["product_block", "cart_block", "cart_embed", "checkout", "thank_you", "whatsapp_reply", "whatsapp_status", "admin", "import", "shopify_admin"] as const;

export const subscriberFilters = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  status: z.enum(STATUSES).optional().catch(undefined),
  source: z.enum(SOURCES).optional().catch(undefined),
});
export type SubscriberFilters = z.infer<typeof subscriberFilters>;

export function parseSubscriberQuery(params: URLSearchParams) {
  const filters = subscriberFilters.parse({
    q: params.get("q") || undefined,
    status: params.get("status") || undefined,
    source: params.get("source") || undefined,
  });
  const direction = params.get("before") ? ("before" as const) : ("after" as const);
  return { filters, cursor: decodeCursor(params.get(direction)), direction };
}

function whereOf(shop: string, filters: SubscriberFilters): Prisma.SubscriberWhereInput {
  const where: Prisma.SubscriberWhereInput = { shop };
  if (filters.status) where.status = filters.status;
  if (filters.source) where.consentEvents = { some: { shop, kind: { in: ["opt_in", "re_opt_in"] }, source: filters.source } };
  if (filters.q) {
    const digits = filters.q.replace(/[^0-9]/g, "");
    where.OR = [
      ...(digits.length >= 3 ? [{ phone: { contains: digits } }] : []),
      { email: { contains: filters.q, mode: "insensitive" as const } },
      { customerId: filters.q },
    ];
  }
  return where;
}

export interface SubscriberRow {
  id: string;
  phone: string;
  countryCode: string | null;
  status: SubscriberStatus;
  scope: string;
  locale: string;
  source: ConsentSource | null;
  createdAt: string;
}

const rowSelect = {
  id: true,
  phone: true,
  countryCode: true,
  status: true,
  scope: true,
  locale: true,
  createdAt: true,
  consentEvents: {
    where: { kind: { in: ["opt_in", "re_opt_in"] as ("opt_in" | "re_opt_in")[] } },
    orderBy: { occurredAt: "asc" as const },
    take: 1,
    select: { source: true },
  },
} satisfies Prisma.SubscriberSelect;

type Selected = Prisma.SubscriberGetPayload<{ select: typeof rowSelect }>;

function toRow(s: Selected): SubscriberRow {
  return {
    id: s.id,
    phone: s.phone,
    countryCode: s.countryCode,
    status: s.status,
    scope: s.scope,
    locale: s.locale,
    source: s.consentEvents[0]?.source ?? null,
    createdAt: s.createdAt.toISOString(),
  };
}

/** One page, newest first, keyset on (createdAt, id). */
export async function listSubscribers(shop: string, query: ReturnType<typeof parseSubscriberQuery>, pageSize = PAGE_SIZE) {
  const { filters, cursor, direction } = query;
  const where = whereOf(shop, filters);
  const newestFirst = direction === "after";
  const cmp = newestFirst ? "lt" : "gt";
  const paged: Prisma.SubscriberWhereInput = cursor
    ? { AND: [where, { OR: [{ createdAt: { [cmp]: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { [cmp]: cursor.id } }] }] }
    : where;
  const order = newestFirst ? "desc" : "asc";
  const rows = await prisma.subscriber.findMany({
    where: paged,
    orderBy: [{ createdAt: order }, { id: order }],
    take: pageSize + 1,
    select: rowSelect,
  });
  const hasMore = rows.length > pageSize;
  const page = rows.slice(0, pageSize);
  if (!newestFirst) page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  const moreAfter = newestFirst ? hasMore : Boolean(cursor);
  const moreBefore = newestFirst ? Boolean(cursor) : hasMore;
  return {
    items: page.map(toRow),
    filters,
    next: moreAfter && last ? encodeCursor(last) : null,
    previous: moreBefore && first ? encodeCursor(first) : null,
  };
}

export async function getSubscriber(shop: string, id: string) {
  const subscriber = await prisma.subscriber.findFirst({
    where: { shop, id },
    include: { requests: { where: { shop }, orderBy: { createdAt: "desc" }, take: 50 } },
  });
  if (!subscriber) return null;
  const events = await listConsentEvents(shop, id);
  return { subscriber, events };
}

/** The merchant stops messages to a shopper (e.g. asked by email): an `admin` opt-out in the ledger. */
export async function optOutByAdmin(shop: string, id: string, at: Date, note?: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const subscriber = await tx.subscriber.findFirst({ where: { shop, id }, select: { id: true, status: true, scope: true } });
    if (!subscriber) return false;
    await lockSubscriber(tx, shop, id);
    if (subscriber.status === "unsubscribed") return true;
    await recordOptOut(tx, {
      shop,
      subscriberId: id,
      source: "admin",
      scope: subscriber.scope,
      text: note?.slice(0, 500) || null,
      at,
    });
    return true;
  });
}

/** Spreadsheet apps run cells starting with = + - @ as formulas (CSV injection); neutralise them. */
function csvCell(value: string | null | undefined, trusted = false): string {
  let text = value ?? "";
  if (!trusted && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Every subscriber matching the filters with their first opt-in's proof, as CSV, in batches. */
export async function exportSubscribersCsv(shop: string, filters: SubscriberFilters): Promise<string> {
  const lines = ["phone,country,status,scope,locale,created_at,opt_in_source,opt_in_at,opt_in_text_version,opt_in_text"];
  const where = whereOf(shop, filters);
  let cursor: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const batch: Array<Prisma.SubscriberGetPayload<{ include: { consentEvents: true } }>> = await prisma.subscriber.findMany({
      where: cursor
        ? { AND: [where, { OR: [{ createdAt: { gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { gt: cursor.id } }] }] }
        : where,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: 1000,
      include: { consentEvents: { where: { shop, kind: { in: ["opt_in", "re_opt_in"] } }, orderBy: { occurredAt: "asc" }, take: 1 } },
    });
    for (const s of batch) {
      const optIn = s.consentEvents[0];
      lines.push(
        [
          csvCell(s.phone, true), // validated E.164, exported as is so it stays dialable
          csvCell(s.countryCode),
          csvCell(s.status),
          csvCell(s.scope),
          csvCell(s.locale),
          csvCell(s.createdAt.toISOString()),
          csvCell(optIn?.source),
          csvCell(optIn?.occurredAt.toISOString()),
          csvCell(optIn?.textVersion),
          csvCell(optIn?.text),
        ].join(","),
      );
    }
    if (batch.length < 1000) break;
    const last = batch[batch.length - 1];
    cursor = { createdAt: last.createdAt, id: last.id };
  }
  return lines.join("\r\n") + "\r\n";
}
