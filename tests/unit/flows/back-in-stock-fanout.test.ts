import { beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import type { StoredTemplateParams } from "../../../app/outbox/types";
import { useTestDatabase } from "../../support/database";
import { holdoutBucket } from "../../../app/flows/holdout";
import { planRestock, restockLimit } from "../../../app/flows/back-in-stock";
import { defaultFlowConfig } from "../../../app/flows/settings";
import { notifyRestock, fanOutRestock } from "../../../app/flows/back-in-stock.server";
import { loadFlowSetting } from "../../../app/flows/flow-settings.server";
import { recordClick } from "../../../app/flows/clicks.server";
import { derivedLinkToken, sendableParams } from "../../../app/flows/link-token.server";

const database = useTestDatabase();

let prisma: PrismaClient;

const shop = "restock.myshopify.com";
const now = new Date("2026-05-01T10:00:00Z");
const updated = new Date("2026-04-01T00:00:00Z");

let phones = 0;
async function seedWaiting(variantId: string, count: number, offset = 0) {
  const subscribers = Array.from({ length: count }, (_, i) => ({
    id: `s-${variantId}-${offset + i}`,
    shop,
    phone: `+3461${String(++phones).padStart(7, "0")}`,
    callingCode: "34",
    status: "subscribed" as const,
  }));
  await prisma.subscriber.createMany({ data: subscribers });
  await prisma.backInStockRequest.createMany({
    data: subscribers.map((s, i) => ({
      id: `r-${variantId}-${offset + i}`,
      shop,
      subscriberId: s.id,
      variantId,
      createdAt: new Date(updated.getTime() + (offset + i) * 1000),
    })),
  });
}

async function variant(id: string, available: number) {
  await prisma.variant.upsert({
    where: { shop_id: { shop, id } },
    create: { shop, id, productId: "p1", title: "Large", available, shopifyUpdatedAt: updated },
    update: { available },
  });
}

beforeAll(async () => {
  prisma = database.prisma;
  await prisma.product.create({ data: { shop, id: "p1", title: "Linen shirt", handle: "linen-shirt", shopifyUpdatedAt: updated } });
}, 60_000);

describe("planRestock", () => {
  const setting = (over: Partial<ReturnType<typeof defaultFlowConfig<"back_in_stock">>> = {}) => ({
    enabled: true,
    holdoutPercent: 0,
    config: { ...defaultFlowConfig("back_in_stock"), ...over },
  });
  const catalog = { productTitle: "Linen shirt", variantTitle: "Large", handle: "linen-shirt", currentlySellable: true };
  const event = { variantId: "v", available: 3, restockId: "e1" };

  it("limits messages to k per unit available", () => {
    expect(restockLimit(3, 2)).toBe(6);
    expect(restockLimit(-1, 2)).toBe(0);
    expect(restockLimit(5, null)).toBeNull();
    const plan = planRestock({ shop, event, catalog, setting: setting({ messagesPerUnit: 2 }), now });
    expect("fanOut" in plan && plan.fanOut.limit).toBe(6);
  });

  it("does nothing when the variant sold out again before the task ran", () => {
    const plan = planRestock({ shop, event, catalog: { ...catalog, currentlySellable: false }, setting: setting(), now });
    expect(plan).toEqual({ skip: "sold_out_again" });
  });

  it("links to the product page with the variant and UTM tags", () => {
    const plan = planRestock({ shop, event, catalog, setting: setting(), now });
    if (!("fanOut" in plan)) throw new Error("expected a fan-out");
    const url = new URL(plan.fanOut.destination);
    expect(url.pathname).toBe("/products/linen-shirt");
    expect(url.searchParams.get("variant")).toBe("v");
    expect(url.searchParams.get("utm_campaign")).toBe("back_in_stock");
  });
});

describe("notifyRestock (set-based fan-out)", () => {
  it("notifies the first k per unit, oldest first, once per restock", async () => {
    await prisma.flowSetting.create({
      data: { shop, flow: "back_in_stock", enabled: true, config: { messagesPerUnit: 2 } },
    });
    await variant("v-limit", 2);
    await seedWaiting("v-limit", 10);
    // An unsubscribed shopper keeps their request but is not messaged.
    await prisma.subscriber.update({ where: { id: "s-v-limit-0" }, data: { status: "unsubscribed" } });

    const first = await notifyRestock(shop, { variantId: "v-limit", available: 2, restockId: "restock-1" }, now);
    expect(first).toMatchObject({ scheduled: 4, notified: 4 });
    const notified = await prisma.backInStockRequest.findMany({
      where: { shop, variantId: "v-limit", status: "notified" },
      orderBy: { createdAt: "asc" },
    });
    expect(notified.map((r) => r.id)).toEqual(["r-v-limit-1", "r-v-limit-2", "r-v-limit-3", "r-v-limit-4"]);

    const replay = await notifyRestock(shop, { variantId: "v-limit", available: 2, restockId: "restock-1" }, now);
    expect(replay.scheduled).toBe(4); // the next four in line, never the same request twice
    const keys = await prisma.notification.findMany({ where: { shop, variantId: "v-limit" }, select: { dedupKey: true } });
    expect(new Set(keys.map((k) => k.dedupKey)).size).toBe(8);
  });

  it("writes no link rows: the button's token is the id plus its MAC, and the link is made on the first tap", async () => {
    const row = await prisma.notification.findFirstOrThrow({ where: { shop, variantId: "v-limit", status: "scheduled" } });
    const params = row.params as StoredTemplateParams;
    expect(params).toEqual({ body: ["Linen shirt", "Large"], buttons: [{ index: 0, type: "url", derivedLinkToken: true }] });
    // The token is minted when the message is sent: this notification's id plus its MAC.
    const sendable = sendableParams(params, row.id);
    const token = derivedLinkToken(row.id);
    expect(sendable.buttons).toEqual([{ index: 0, type: "url", suffix: token }]);
    expect(token.startsWith(row.id)).toBe(true);
    expect(row.linkDestination).toContain("/products/linen-shirt");
    expect(await prisma.trackedLink.count({ where: { shop, notificationId: row.id } })).toBe(0);

    // A link preview is redirected but counts nothing and makes no row.
    expect(await recordClick(token, now, { automated: true })).toMatchObject({ destination: expect.stringContaining("/products/linen-shirt") });
    expect(await prisma.trackedLink.count({ where: { token } })).toBe(0);
    expect(await prisma.click.count({ where: { token } })).toBe(0);

    // Two first taps at once: one row, two clicks.
    const taps = await Promise.all([recordClick(token, now), recordClick(token, now)]);
    for (const tap of taps) expect(tap?.destination).toContain("/products/linen-shirt");
    const link = await prisma.trackedLink.findUniqueOrThrow({ where: { token } });
    expect(link).toMatchObject({ shop, notificationId: row.id, destination: row.linkDestination });
    expect(await prisma.click.count({ where: { token } })).toBe(2);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: row.id } })).clickedAt).toEqual(now);
    expect(await recordClick(token, now)).not.toBeNull();
    expect(await prisma.click.count({ where: { token } })).toBe(3);
  });

  it("answers unknown or forged tokens with nothing", async () => {
    const row = await prisma.notification.findFirstOrThrow({ where: { shop, variantId: "v-limit" } });
    const token = derivedLinkToken(row.id);
    const flipped = token.slice(0, -1) + (token.endsWith("0") ? "1" : "0");
    for (const bad of [flipped, row.id + "0".repeat(32), derivedLinkToken("0".repeat(32)), row.id, "", token.toUpperCase(), `${token}0`]) {
      expect(await recordClick(bad, now)).toBeNull();
    }
    // A valid MAC over a notification that has no link destination is not a link either.
    const other = await prisma.notification.create({
      data: { id: "f".repeat(32), shop, flow: "reorder", dedupKey: "no-link", status: "sent", sendAt: now, templateName: "x" },
    });
    expect(await recordClick(derivedLinkToken(other.id), now)).toBeNull();
    expect(await prisma.click.count({ where: { notificationId: { in: [row.id, other.id] }, token: { not: token } } })).toBe(0);
  });

  it("keeps a control group chosen by the same hash as the planners", async () => {
    await prisma.flowSetting.update({
      where: { shop_flow: { shop, flow: "back_in_stock" } },
      data: { holdoutPercent: 30, config: {} },
    });
    await variant("v-hold", 5);
    await seedWaiting("v-hold", 200);
    const outcome = await notifyRestock(shop, { variantId: "v-hold", available: 5, restockId: "r" }, now);
    expect(outcome.scheduled + outcome.heldOut).toBe(200);
    const rows = await prisma.notification.findMany({ where: { shop, variantId: "v-hold" } });
    for (const row of rows) {
      const expected = holdoutBucket(shop, "back_in_stock", row.subscriberId!) < 30 ? "held_out" : "scheduled";
      expect(row.status).toBe(expected);
    }
    expect(outcome.heldOut).toBeGreaterThan(20);
    expect(await prisma.holdoutAssignment.count({ where: { shop, flow: "back_in_stock" } })).toBe(outcome.heldOut);
  });

  it("puts a request back in line when its alert was dropped because the item sold out again", async () => {
    await prisma.flowSetting.update({ where: { shop_flow: { shop, flow: "back_in_stock" } }, data: { holdoutPercent: 0 } });
    await variant("v-again", 1);
    await seedWaiting("v-again", 1);
    await notifyRestock(shop, { variantId: "v-again", available: 1, restockId: "a" }, now);
    await prisma.notification.updateMany({
      where: { shop, variantId: "v-again" },
      data: { status: "skipped", decision: "skip", decisionReason: "sold_out_again" },
    });
    await variant("v-again", 0);
    const soldOut = await notifyRestock(shop, { variantId: "v-again", available: 1, restockId: "b" }, now);
    expect(soldOut.skipped).toBe("sold_out_again");
    await variant("v-again", 4);
    const again = await notifyRestock(shop, { variantId: "v-again", available: 4, restockId: "c" }, now);
    expect(again).toMatchObject({ rewaited: 1, scheduled: 1 });
  });

  it("splits an unlimited restock into disjoint parts that together notify every request once", async () => {
    await variant("v-parts", 50);
    await seedWaiting("v-parts", 90);
    const setting = await loadFlowSetting(shop, "back_in_stock");
    const catalog = { productTitle: "Linen shirt", variantTitle: "Large", handle: "linen-shirt", currentlySellable: true };
    const plan = planRestock({ shop, event: { variantId: "v-parts", available: 50, restockId: "p" }, catalog, setting, now });
    if (!("fanOut" in plan)) throw new Error("expected a fan-out");
    const f = { ...plan.fanOut, limit: null };
    const parts = [];
    for (let part = 0; part < 3; part++) parts.push(await fanOutRestock(shop, f, now, prisma, { part, of: 3 }));
    expect(parts.every((o) => o.notified > 0)).toBe(true);
    expect(parts.reduce((n, o) => n + o.scheduled + o.heldOut, 0)).toBe(90);
    expect(await prisma.notification.count({ where: { shop, variantId: "v-parts" } })).toBe(90);
    expect(await prisma.backInStockRequest.count({ where: { shop, variantId: "v-parts", status: "waiting" } })).toBe(0);

    // A part run again (a retried task) finds nothing left, even for a request put back in line.
    await prisma.backInStockRequest.updateMany({ where: { shop, variantId: "v-parts" }, data: { status: "waiting" } });
    for (let part = 0; part < 3; part++) expect(await fanOutRestock(shop, f, now, prisma, { part, of: 3 })).toMatchObject({ scheduled: 0, notified: 0 });
    expect(await prisma.notification.count({ where: { shop, variantId: "v-parts" } })).toBe(90);
  });

  // The 2 s budget is for PostgreSQL; in-process PGlite (WASM) runs a smaller crowd.
  const count = process.env.DATABASE_URL ? 100_000 : 5_000;
  it(`schedules ${count} waiting shoppers in set-based statements`, async () => {
    await variant("v-big", count);
    const seeded = performance.now();
    await prisma.$executeRaw`
      INSERT INTO "Subscriber" (id, shop, phone, "callingCode", status, "updatedAt")
      SELECT 'big-' || g, ${shop}, '+4470' || lpad(g::text, 8, '0'), '44', 'subscribed', now()
        FROM generate_series(1, ${count}) g`;
    await prisma.$executeRaw`
      INSERT INTO "BackInStockRequest" (id, shop, "subscriberId", "variantId", "createdAt")
      SELECT 'big-r-' || g, ${shop}, 'big-' || g, 'v-big', now() + g * interval '1 millisecond'
        FROM generate_series(1, ${count}) g`;
    console.log(`seeded in ${Math.round(performance.now() - seeded)} ms`);
    const started = performance.now();
    const outcome = await notifyRestock(shop, { variantId: "v-big", available: 100_000, restockId: "big" }, now);
    expect(await prisma.backInStockRequest.count({ where: { shop, variantId: "v-big", status: "waiting" } })).toBe(0);
    const elapsed = performance.now() - started;
    expect(outcome.scheduled).toBe(count);
    console.log(`fan-out of ${count}: ${Math.round(elapsed)} ms`);
    // The 2 s target needs a machine that is not shared; FANOUT_BUDGET_MS=2000 enforces it there.
    const budget = Number(process.env.FANOUT_BUDGET_MS ?? 0);
    if (budget > 0) expect(elapsed).toBeLessThan(budget);
  }, 120_000);
});
