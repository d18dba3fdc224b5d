import type { Flow } from "@prisma/client";
import prisma from "../app/db.server";

/**
 * What the sandbox's week produced, counted from the database after the run (never from the
 * scenario's own tally), in the shape `npm run demo -- --once` prints after `DEMO `.
 */
export interface DemoSummary {
  shop: string;
  optIns: number;
  optOuts: number;
  webhooks: number;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  /** Messages the policy gate held back (deferred at least once) or dropped */
  blockedByPolicy: number;
  deferredByPolicy: number;
  skippedByPolicy: number;
  recoveredOrders: number;
  recoveredRevenue: number;
  currency: string;
  /** Library templates the app submitted to WhatsApp, and those WhatsApp approved */
  templatesSubmitted: number;
  templatesApproved: number;
  byFlow: Record<"abandoned_cart" | "back_in_stock" | "reorder" | "upsell" | "promotion" | "appointment", number>;
}

const REPORTED_FLOWS = ["abandoned_cart", "back_in_stock", "reorder", "upsell", "promotion", "appointment"] as const;

export async function summarise(shop: string): Promise<DemoSummary> {
  const sentStatuses = ["sent", "delivered", "read"] as const;
  const [optIns, optOuts, webhooks, sent, delivered, read, clicked, skipped, deferredRows, attributed, shopRow, perFlow, templatesSubmitted, templatesApproved] =
    await Promise.all([
      prisma.consentEvent.count({ where: { shop, kind: { in: ["opt_in", "re_opt_in"] } } }),
      prisma.consentEvent.count({ where: { shop, kind: "opt_out" } }),
      prisma.webhookReceipt.count({ where: { shop } }),
      prisma.notification.count({ where: { shop, sentAt: { not: null } } }),
      prisma.notification.count({ where: { shop, deliveredAt: { not: null } } }),
      prisma.notification.count({ where: { shop, readAt: { not: null } } }),
      prisma.notification.count({ where: { shop, clickedAt: { not: null } } }),
      prisma.notification.count({ where: { shop, status: "skipped" } }),
      prisma.notificationEvent.findMany({
        where: { shop, kind: "deferred" },
        distinct: ["notificationId"],
        select: { notificationId: true },
      }),
      prisma.attribution.aggregate({ where: { shop }, _count: { _all: true }, _sum: { revenue: true } }),
      prisma.shop.findUnique({ where: { shop }, select: { currency: true } }),
      prisma.notification.groupBy({
        by: ["flow"],
        where: { shop, status: { in: [...sentStatuses] } },
        _count: { _all: true },
      }),
      prisma.messageTemplate.count({ where: { shop, origin: "library", submittedAt: { not: null } } }),
      prisma.messageTemplate.count({ where: { shop, origin: "library", status: "APPROVED" } }),
    ]);
  const byFlow = Object.fromEntries(REPORTED_FLOWS.map((flow) => [flow, 0])) as DemoSummary["byFlow"];
  for (const row of perFlow) {
    if ((REPORTED_FLOWS as readonly Flow[]).includes(row.flow)) byFlow[row.flow as (typeof REPORTED_FLOWS)[number]] = row._count._all;
  }
  return {
    shop,
    optIns,
    optOuts,
    webhooks,
    sent,
    delivered,
    read,
    clicked,
    blockedByPolicy: deferredRows.length + skipped,
    deferredByPolicy: deferredRows.length,
    skippedByPolicy: skipped,
    recoveredOrders: attributed._count._all,
    recoveredRevenue: Number(attributed._sum.revenue ?? 0),
    currency: shopRow?.currency ?? "USD",
    templatesSubmitted,
    templatesApproved,
    byFlow,
  };
}
