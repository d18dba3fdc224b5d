import { describe, expect, it } from "vitest";
import { planAbandonedCart, type AbandonedCartState } from "../../../app/flows/abandoned-cart";
import { planAppointments } from "../../../app/flows/appointment";
import { planRestock } from "../../../app/flows/back-in-stock";
import { planKeys } from "../../../app/flows/plan";
import { monthStart } from "../../../app/flows/promotion";
import { planReorder, type ReorderProduct } from "../../../app/flows/reorder";
import { defaultFlowConfig, readFlowConfig } from "../../../app/flows/settings";
import { planUpsell } from "../../../app/flows/upsell";

/**
 * The planners' edge cases: time zones west of UTC and off the hour, both DST changes, how many
 * a restock may notify, a cart bought between two reminders, a variant gone again before the
 * fan-out, and an interval without enough repeat purchases to learn from. Input -> planned rows.
 */
const shop = "edges.myshopify.com";
const keys = planKeys("secret");
const H = 3_600_000;
const D = 24 * H;
const subscriber = { id: "sub-1", status: "subscribed" as const, scope: "marketing" as const, marketingStoppedAt: null };

describe("appointment reminders in the shop's time zone", () => {
  // A stored config with hoursBefore: one reminder that many hours before.
  const setting = (hoursBefore = 24) => ({ enabled: true, config: readFlowConfig("appointment", { hoursBefore }) });
  const order = (date: string, time: string | null) => ({
    id: "o1",
    cancelled: false,
    lines: [{ lineItemId: "li1", title: "Massage", properties: [{ name: "Booking date", value: date }, ...(time ? [{ name: "Booking time", value: time }] : [])] }],
  });
  const plan = (timeZone: string, date: string, time: string | null, now: Date, hoursBefore = 24) =>
    planAppointments({ shop, timeZone, order: order(date, time), subscriber, setting: setting(hoursBefore), now });

  it("names the local day in the reminder when the booking is already tomorrow in UTC", () => {
    // 20:00 in Los Angeles on 1 May 2026 (UTC-7) is 03:00 UTC on the 2nd.
    const { messages } = plan("America/Los_Angeles", "2026-05-01", "20:00", new Date("2026-04-20T12:00:00Z"));
    expect(messages).toHaveLength(1);
    expect(messages[0].notification.expiresAt?.toISOString()).toBe("2026-05-02T03:00:00.000Z");
    expect(messages[0].notification.sendAt.toISOString()).toBe("2026-05-01T03:00:00.000Z");
    expect(messages[0].notification.params.body).toEqual(["Massage", "Friday, 1 May 2026", "20:00"]);
  });

  it("reads a zone whose offset is not a whole hour", () => {
    // Nepal is UTC+5:45 all year.
    const { messages } = plan("Asia/Kathmandu", "2026-06-10", "09:00", new Date("2026-06-01T00:00:00Z"), 2);
    expect(messages[0].notification.expiresAt?.toISOString()).toBe("2026-06-10T03:15:00.000Z");
    expect(messages[0].notification.sendAt.toISOString()).toBe("2026-06-10T01:15:00.000Z");
  });

  it("counts the hours before as real hours across the autumn change", () => {
    // Madrid leaves summer time on 25 October 2026 at 03:00 (01:00 UTC): 10:00 on the 26th is
    // UTC+1, and 24 hours earlier is 10:00 on the 25th, also already UTC+1.
    const { messages } = plan("Europe/Madrid", "2026-10-26", "10:00", new Date("2026-10-20T00:00:00Z"));
    expect(messages[0].notification.expiresAt?.toISOString()).toBe("2026-10-26T09:00:00.000Z");
    expect(messages[0].notification.sendAt.toISOString()).toBe("2026-10-25T09:00:00.000Z");
    // 36 hours before crosses the change: 23:00 summer time on the 24th, not the 22:00 a count
    // of wall-clock hours would give.
    const earlier = plan("Europe/Madrid", "2026-10-26", "10:00", new Date("2026-10-20T00:00:00Z"), 36);
    expect(earlier.messages[0].notification.sendAt.toISOString()).toBe("2026-10-24T21:00:00.000Z");
  });

  it("reminds at once when booked at short notice, and not at all inside the last hour", () => {
    const now = new Date("2026-05-01T08:00:00Z");
    const soon = plan("UTC", "2026-05-01", "12:00", now);
    expect(soon.messages.map((m) => m.notification.sendAt)).toEqual([now]);
    const tooSoon = plan("UTC", "2026-05-01", "08:45", now);
    expect(tooSoon.messages).toEqual([]);
  });
});

describe("promotion cap window west of UTC", () => {
  it("keeps the shop's month until its own midnight", () => {
    // 02:00 UTC on 1 April is still 31 March in New York (UTC-4 in summer time).
    expect(monthStart(new Date("2026-04-01T02:00:00Z"), "America/New_York").toISOString()).toBe("2026-03-01T05:00:00.000Z");
    // 1 November starts in summer time; the change comes at 02:00 that night.
    expect(monthStart(new Date("2026-11-15T12:00:00Z"), "America/New_York").toISOString()).toBe("2026-11-01T04:00:00.000Z");
  });
});

describe("back in stock quantity limits", () => {
  const catalog = { productTitle: "Linen shirt", variantTitle: "Large", handle: "linen-shirt", currentlySellable: true };
  const setting = (messagesPerUnit: number | null) => ({
    enabled: true,
    holdoutPercent: 0,
    config: { ...defaultFlowConfig("back_in_stock"), messagesPerUnit },
  });
  const now = new Date("2026-05-01T10:00:00Z");
  const restock = (available: number, messagesPerUnit: number | null) =>
    planRestock({ shop, event: { variantId: "v1", available, restockId: "r1" }, catalog, setting: setting(messagesPerUnit), now });

  it("notifies nobody when nothing is available, and whole units only", () => {
    expect(restock(0, 3)).toEqual({ skip: "nothing_available" });
    expect(restock(-2, 3)).toEqual({ skip: "nothing_available" });
    const partial = restock(2.7, 3);
    expect("fanOut" in partial && partial.fanOut.limit).toBe(6);
  });

  it("tells everyone waiting when the merchant set no limit, even for one unit", () => {
    const plan = restock(1, null);
    expect("fanOut" in plan && plan.fanOut.limit).toBeNull();
  });

  it("sends nothing when the variant is gone again, whatever the restock said", () => {
    const plan = planRestock({
      shop, event: { variantId: "v1", available: 40, restockId: "r2" }, catalog: { ...catalog, currentlySellable: false }, setting: setting(null), now,
    });
    expect(plan).toEqual({ skip: "sold_out_again" });
    expect(planRestock({ shop, event: { variantId: "v1", available: 40, restockId: "r2" }, catalog: null, setting: setting(null), now })).toEqual({ skip: "variant_unknown" });
  });
});

describe("a cart that converts between steps", () => {
  const changed = new Date("2026-03-10T10:00:00Z");
  const cart = (over: Partial<AbandonedCartState>): AbandonedCartState => ({
    token: "cart-9",
    status: "open",
    lines: [{ variantId: "111", title: "Linen shirt", quantity: 1, price: "30.00" }],
    totalPrice: "30.00",
    currency: "EUR",
    lastChangedAt: changed,
    recoveryUrl: null,
    ordered: false,
    sentSteps: [],
    ...over,
  });
  const setting = { enabled: true, holdoutPercent: 0, config: defaultFlowConfig("abandoned_cart") };

  it("plans nothing more and cancels the rest once Shopify marks the cart converted after step 2", () => {
    const plan = planAbandonedCart({ shop, cart: cart({ status: "converted", sentSteps: [1, 2] }), subscriber, setting, keys, now: new Date(changed.getTime() + 30 * H) });
    expect(plan.messages).toEqual([]);
    expect(plan.cancellations).toEqual([{ predicate: { flow: "abandoned_cart", cartToken: "cart-9" }, reason: "order_placed" }]);
  });

  it("treats lines whose quantities are all zero as an emptied cart", () => {
    const plan = planAbandonedCart({ shop, cart: cart({ lines: [{ variantId: "111", title: "Linen shirt", quantity: 0, price: "30.00" }] }), subscriber, setting, keys, now: changed });
    expect(plan.messages).toEqual([]);
    expect(plan.cancellations[0].reason).toBe("cart_emptied");
  });
});

describe("time to reorder with too few samples", () => {
  const placedAt = new Date("2026-01-05T09:00:00Z");
  const product = (repeatGapsDays: number[]): ReorderProduct => ({
    productId: "p1", variantId: "v1", title: "Coffee beans", handle: "coffee", replenishmentDays: null, repeatGapsDays,
  });
  const plan = (repeatGapsDays: number[], now = placedAt) =>
    planReorder({
      shop,
      order: { id: "o1", placedAt, cancelled: false },
      products: [product(repeatGapsDays)],
      subscriber,
      setting: { enabled: true, holdoutPercent: 0, config: { ...defaultFlowConfig("reorder"), defaultDays: 30, minSamples: 3 } },
      keys,
      now,
    });

  it("plans the default interval until there are enough repeat purchases, then the learned one", () => {
    const few = plan([10, 12]).messages[0].notification;
    expect(few.sendAt).toEqual(new Date(placedAt.getTime() + 30 * D));
    expect(few.params.body).toEqual(["Coffee beans", "30"]);
    const enough = plan([10, 12, 13]).messages[0].notification;
    expect(enough.sendAt).toEqual(new Date(placedAt.getTime() + 12 * D));
    expect(enough.params.body).toEqual(["Coffee beans", "12"]);
  });

  it("does not count same-day repeats as samples", () => {
    const plan3 = plan([10, 12, 0.2]).messages[0].notification;
    expect(plan3.params.body).toEqual(["Coffee beans", "30"]);
  });

  it("plans nothing when the order was processed after its reminder would have gone out", () => {
    expect(plan([], new Date(placedAt.getTime() + 31 * D)).messages).toEqual([]);
  });
});

describe("cross-sell processed late", () => {
  const placedAt = new Date("2026-01-05T09:00:00Z");
  const candidate = { productId: "p2", variantId: "v2", title: "Filter papers", handle: "papers", status: "active", coPurchases: 5 };
  const plan = (now: Date) =>
    planUpsell({
      shop,
      order: { id: "o1", placedAt, cancelled: false, firstTitle: "Grinder" },
      owned: new Set(["p1"]),
      candidates: [candidate],
      fallback: null,
      subscriber,
      setting: { enabled: true, holdoutPercent: 0, config: { ...defaultFlowConfig("upsell"), delayDays: 3, validDays: 2 } },
      keys,
      now,
    });

  it("sends at once while the recommendation is still valid, and not after", () => {
    const late = new Date(placedAt.getTime() + 4 * D);
    expect(plan(late).messages.map((m) => m.notification.sendAt)).toEqual([late]);
    expect(plan(new Date(placedAt.getTime() + 5 * D)).messages).toEqual([]);
  });
});
