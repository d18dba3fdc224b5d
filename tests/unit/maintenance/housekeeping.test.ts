import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { sweep } from "../../../app/maintenance/housekeeping.server";

const database = useTestDatabase();

const now = new Date("2026-12-01T12:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const shop = "sweep.myshopify.com";

beforeAll(async () => {
  const { prisma } = database;
  // 12,000 receipts past retention (more than one batch) and two that are not.
  await prisma.$executeRaw`
    INSERT INTO "WebhookReceipt" ("eventId", shop, topic, "receivedAt")
    SELECT 'old-' || g, ${shop}, 'CARTS_UPDATE', ${daysAgo(31)}::timestamp FROM generate_series(1, 12000) g`;
  await prisma.webhookReceipt.createMany({
    data: [
      { eventId: "recent", shop, topic: "CARTS_UPDATE", receivedAt: daysAgo(29) },
      { eventId: "today", shop, topic: "CARTS_UPDATE", receivedAt: now },
    ],
  });
  await prisma.task.createMany({
    data: [
      { id: "done-old", shop, kind: "flows.cart_changed", status: "done", updatedAt: daysAgo(40) },
      { id: "failed-old", shop, kind: "flows.cart_changed", status: "failed", updatedAt: daysAgo(40) },
      { id: "queued-old", shop, kind: "campaign.launch", status: "queued", updatedAt: daysAgo(40) },
      { id: "running-old", shop, kind: "flows.cart_changed", status: "running", updatedAt: daysAgo(40) },
      { id: "done-recent", shop, kind: "flows.cart_changed", status: "done", updatedAt: daysAgo(2) },
    ],
  });
  await prisma.rateCounter.createMany({
    data: [
      { key: "optin:ip:1", windowStart: daysAgo(2) },
      { key: "optin:ip:1", windowStart: new Date(now.getTime() - 60_000) },
    ],
  });
  const failed = (eventId: string, receivedAt: Date) => ({
    shop, topic: "orders/create", eventId, webhookId: eventId, apiVersion: "2026-10", body: "{}", reason: "test", receivedAt,
  });
  await prisma.failedWebhook.createMany({ data: [failed("failed-old", daysAgo(15)), failed("failed-recent", daysAgo(13))] });
}, 60_000);

describe("housekeeping sweep", () => {
  it("deletes receipts, finished tasks, rate windows and kept deliveries past their retention, and nothing else", async () => {
    const { prisma } = database;
    const counts = await sweep(now);
    expect(counts).toEqual({ WebhookReceipt: 12_000, Task: 2, RateCounter: 1, FailedWebhook: 1 });
    expect((await prisma.webhookReceipt.findMany({ select: { eventId: true }, orderBy: { eventId: "asc" } })).map((r) => r.eventId)).toEqual(["recent", "today"]);
    expect((await prisma.task.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((t) => t.id)).toEqual(["done-recent", "queued-old", "running-old"]);
    expect(await prisma.rateCounter.count()).toBe(1);
    // Bodies of deliveries kept for replay hold personal data: 14 days, no longer.
    expect((await prisma.failedWebhook.findMany({ select: { eventId: true } })).map((r) => r.eventId)).toEqual(["failed-recent"]);
    // A second sweep finds nothing left to do.
    expect(await sweep(now)).toEqual({ WebhookReceipt: 0, Task: 0, RateCounter: 0, FailedWebhook: 0 });
  });

  it("a replayed delivery is still recognised within the retention", async () => {
    const { prisma } = database;
    const replay = await prisma.$executeRaw`
      INSERT INTO "WebhookReceipt" ("eventId", shop, topic) VALUES ('recent', ${shop}, 'CARTS_UPDATE') ON CONFLICT ("eventId") DO NOTHING`;
    expect(replay).toBe(0);
  });
});
