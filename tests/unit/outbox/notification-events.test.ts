import { beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { useTestDatabase } from "../../support/database";

/**
 * Every way a message enters the outbox leaves the same timeline: one "planned" entry per row,
 * at the row's creation, with the time it is due, held-out rows included, and no event row
 * written for it. A flow plan goes through scheduleNotifications; a restock and a campaign launch
 * through the set-based fan-out. And every cancellation, an uninstall's included, leaves its
 * "cancelled" event.
 */
const database = useTestDatabase();

let prisma: PrismaClient;
let commitPlan: typeof import("../../../app/flows/plan.server").commitPlan;
let notifyRestock: typeof import("../../../app/flows/back-in-stock.server").notifyRestock;
let launchCampaign: typeof import("../../../app/flows/promotion.server").launchCampaign;
let recordUninstall: typeof import("../../../app/shops/shop.server").recordUninstall;
let loadMessage: typeof import("../../../app/admin/message-timeline.server").loadMessage;

const shop = "planned.myshopify.com";
const now = new Date("2026-07-01T10:00:00Z");
const updated = new Date("2026-06-01T00:00:00Z");
let seq = 0;

async function subscribers(count: number, over: Record<string, unknown> = {}) {
  const rows = Array.from({ length: count }, () => {
    seq += 1;
    return { id: `sub-${seq}`, shop, phone: `+44770090${String(seq).padStart(4, "0")}`, callingCode: "44", status: "subscribed" as const, ...over };
  });
  await prisma.subscriber.createMany({ data: rows });
  return rows.map((r) => r.id);
}

/** The rows a query names: each shows "planned" once on its timeline, and none stored an event for it. */
async function expectOnePlannedEntryPerRow(where: Record<string, unknown>) {
  const rows = await prisma.notification.findMany({ where: { shop, ...where }, select: { id: true, status: true, sendAt: true } });
  expect(rows.length).toBeGreaterThan(0);
  const stored = await prisma.notificationEvent.count({ where: { shop, kind: "planned", notificationId: { in: rows.map((r) => r.id) } } });
  expect(stored).toBe(0);
  for (const row of rows) {
    const message = await loadMessage(shop, row.id);
    const planned = message!.timeline.filter((entry) => entry.kind === "planned");
    expect(planned).toHaveLength(1);
    expect(planned[0].detail).toBe(`sendAt: ${row.sendAt.toISOString()}`);
  }
  return rows;
}

beforeAll(async () => {
  prisma = database.prisma;
  ({ commitPlan } = await import("../../../app/flows/plan.server"));
  ({ notifyRestock } = await import("../../../app/flows/back-in-stock.server"));
  ({ launchCampaign } = await import("../../../app/flows/promotion.server"));
  ({ recordUninstall } = await import("../../../app/shops/shop.server"));
  ({ loadMessage } = await import("../../../app/admin/message-timeline.server"));
  await prisma.shop.create({ data: { shop, timezone: "Europe/London", settings: { create: { campaignsPerMonth: 4 } } } });
  await prisma.flowSetting.createMany({
    data: (["back_in_stock", "promotion"] as const).map((flow) => ({ shop, flow, enabled: true, holdoutPercent: 30, config: {} })),
  });
  await prisma.product.create({ data: { shop, id: "p1", title: "Linen shirt", handle: "linen-shirt", shopifyUpdatedAt: updated } });
  await prisma.variant.create({ data: { shop, id: "v1", productId: "p1", title: "Large", available: 100, shopifyUpdatedAt: updated } });
}, 60_000);

describe("planned messages", () => {
  it("a flow plan shows each new row planned once, held-out rows included", async () => {
    const [a, b] = await subscribers(2);
    const message = (subscriberId: string, heldOut: boolean) => ({
      heldOut,
      notification: {
        shop, flow: "reorder" as const, dedupKey: `reorder:${subscriberId}`, subscriberId, sendAt: new Date(now.getTime() + 3_600_000),
        templateName: "reorder", templateLanguage: "en", params: { body: ["Coffee"] }, orderId: `o-${subscriberId}`,
      },
    });
    await commitPlan(shop, { messages: [message(a, false), message(b, true)], cancellations: [] });
    const rows = await expectOnePlannedEntryPerRow({ flow: "reorder" });
    expect(rows.map((r) => r.status).sort()).toEqual(["held_out", "scheduled"]);
  });

  it("a back-in-stock fan-out shows each row planned once, held-out rows included, and adds nothing on a replay", async () => {
    const ids = await subscribers(40);
    await prisma.backInStockRequest.createMany({
      data: ids.map((subscriberId, i) => ({ id: `r-${i}`, shop, subscriberId, variantId: "v1", createdAt: new Date(updated.getTime() + i) })),
    });
    const outcome = await notifyRestock(shop, { variantId: "v1", available: 100, restockId: "restock-1" }, now);
    expect(outcome.scheduled + outcome.heldOut).toBe(40);
    expect(outcome.heldOut).toBeGreaterThan(0);
    await expectOnePlannedEntryPerRow({ flow: "back_in_stock" });
    await notifyRestock(shop, { variantId: "v1", available: 100, restockId: "restock-1" }, now);
    expect(await expectOnePlannedEntryPerRow({ flow: "back_in_stock" })).toHaveLength(40);
  });

  it("a promotion fan-out shows each row planned once, held-out rows included", async () => {
    await subscribers(40);
    const campaign = await prisma.campaign.create({
      data: { shop, name: "Summer", templateName: "offer", audience: { countries: ["44"] }, params: { body: ["20%"] }, status: "scheduled" },
    });
    const outcome = await launchCampaign(shop, campaign.id, now);
    expect(outcome).toMatchObject({ launched: true });
    if (!outcome.launched) return;
    expect(outcome.heldOut).toBeGreaterThan(0);
    await expectOnePlannedEntryPerRow({ campaignId: campaign.id });
  });

  it("a row planned when a planned event was still stored shows it once", async () => {
    const [row] = await prisma.notification.findMany({ where: { shop, flow: "reorder" }, take: 1 });
    await prisma.notificationEvent.create({ data: { shop, notificationId: row.id, kind: "planned", detail: { sendAt: row.sendAt.toISOString() } } });
    const message = await loadMessage(shop, row.id);
    expect(message!.timeline.filter((entry) => entry.kind === "planned")).toHaveLength(1);
  });

  it("an uninstall cancels what was still to be sent, each row with its cancelled event", async () => {
    const open = await prisma.notification.findMany({ where: { shop, status: "scheduled" }, select: { id: true } });
    expect(open.length).toBeGreaterThan(0);
    await recordUninstall(prisma, shop, now);
    const events = await prisma.notificationEvent.findMany({ where: { shop, kind: "cancelled" } });
    expect(events.map((e) => e.notificationId).sort()).toEqual(open.map((r) => r.id).sort());
    for (const event of events) expect(event.detail).toEqual({ reason: "app_uninstalled" });
    expect(await prisma.notification.count({ where: { shop, status: { in: ["scheduled", "sending"] } } })).toBe(0);
  });
});
