import { describe, expect, it } from "vitest";
import { planAbandonedCart, recoveryLink, type AbandonedCartState } from "../../../app/flows/abandoned-cart";
import { parseBooking, planAppointments } from "../../../app/flows/appointment";
import { zonedTimeToUtc } from "../../../app/shared/zoned-time";
import { holdoutBucket, isHeldOut } from "../../../app/flows/holdout";
import { planKeys } from "../../../app/flows/plan";
import { monthStart } from "../../../app/flows/promotion";
import { chooseInterval, median, planReorder } from "../../../app/flows/reorder";
import { defaultFlowConfig, readFlowConfig, validateFlowConfig } from "../../../app/flows/settings";
import { chooseRecommendation, planUpsell, type Recommendation } from "../../../app/flows/upsell";

const shop = "planner.myshopify.com";
const keys = planKeys("secret");
const H = 3_600_000;
const D = 24 * H;
const subscriber = { id: "sub-1", status: "subscribed" as const, scope: "marketing" as const, marketingStoppedAt: null };
const changed = new Date("2026-03-10T10:00:00Z");

function cart(over: Partial<AbandonedCartState> = {}): AbandonedCartState {
  return {
    token: "cart-1",
    status: "open",
    lines: [
      { variantId: "111", title: "Linen shirt", quantity: 2, price: "30.00" },
      { variantId: "222", title: "Belt", quantity: 1, price: "15.00" },
    ],
    totalPrice: "75.00",
    currency: "EUR",
    lastChangedAt: changed,
    recoveryUrl: null,
    ordered: false,
    sentSteps: [],
    ...over,
  };
}
const cartSetting = (holdoutPercent = 0) => ({ enabled: true, holdoutPercent, config: defaultFlowConfig("abandoned_cart") });

describe("abandoned cart", () => {
  it("plans three reminders at 1 h, 24 h and 72 h after the last change, the last with a code", () => {
    const plan = planAbandonedCart({ shop, cart: cart(), subscriber, setting: cartSetting(), keys, now: changed });
    expect(plan.messages.map((m) => m.notification.sendAt.getTime() - changed.getTime())).toEqual([H, 24 * H, 72 * H]);
    const [first, , last] = plan.messages;
    expect(first.notification.params.body).toEqual(["Linen shirt and 1 more", "€75.00"]);
    expect(first.discount).toBeUndefined();
    expect(last.discount?.code).toMatch(/^RB[0-9A-Z]{10}$/);
    expect(last.notification.params.body?.[2]).toBe(last.discount?.code);
    const link = new URL(last.link!.destination);
    expect(link.pathname).toBe("/cart/111:2,222:1");
    expect(link.searchParams.get("discount")).toBe(last.discount?.code);
    expect(link.searchParams.get("utm_source")).toBe("whatsapp");
    expect(link.searchParams.get("utm_campaign")).toBe("abandoned_cart");
    expect(first.notification.params.buttons).toEqual([{ index: 0, type: "url", suffix: first.link!.token }]);
  });

  it("moves the reminders when the cart changes, keeping nothing of the old plan", () => {
    const before = planAbandonedCart({ shop, cart: cart(), subscriber, setting: cartSetting(), keys, now: changed });
    const later = new Date(changed.getTime() + 30 * 60_000);
    const after = planAbandonedCart({ shop, cart: cart({ lastChangedAt: later }), subscriber, setting: cartSetting(), keys, now: later });
    expect(after.messages[0].notification.sendAt).toEqual(new Date(later.getTime() + H));
    const oldKeys = new Set(before.messages.map((m) => m.notification.dedupKey));
    expect(after.messages.some((m) => oldKeys.has(m.notification.dedupKey))).toBe(false);
    expect(after.cancellations).toEqual([
      { predicate: { flow: "abandoned_cart", cartToken: "cart-1" }, reason: "cart_changed", keep: after.messages.map((m) => m.notification.dedupKey) },
    ]);
  });

  it("re-planning the same state gives the same keys, tokens and codes", () => {
    const a = planAbandonedCart({ shop, cart: cart(), subscriber, setting: cartSetting(), keys, now: changed });
    const b = planAbandonedCart({ shop, cart: cart(), subscriber, setting: cartSetting(), keys, now: new Date(changed.getTime() + 60_000) });
    expect(b.messages.map((m) => [m.notification.dedupKey, m.link?.token, m.discount?.code])).toEqual(
      a.messages.map((m) => [m.notification.dedupKey, m.link?.token, m.discount?.code]),
    );
  });

  it("cancels everything when the cart converts between steps", () => {
    const plan = planAbandonedCart({
      shop, cart: cart({ ordered: true, sentSteps: [1] }), subscriber, setting: cartSetting(), keys, now: new Date(changed.getTime() + 2 * H),
    });
    expect(plan.messages).toEqual([]);
    expect(plan.cancellations[0]).toMatchObject({ reason: "order_placed", predicate: { cartToken: "cart-1" } });
  });

  it("cancels when the cart is emptied or the shopper opted out", () => {
    const emptied = planAbandonedCart({ shop, cart: cart({ lines: [] }), subscriber, setting: cartSetting(), keys, now: changed });
    expect(emptied.cancellations[0].reason).toBe("cart_emptied");
    const optedOut = planAbandonedCart({
      shop, cart: cart(), subscriber: { ...subscriber, status: "unsubscribed" }, setting: cartSetting(), keys, now: changed,
    });
    expect(optedOut.cancellations[0].reason).toBe("not_subscribed");
    const utilityOnly = planAbandonedCart({ shop, cart: cart(), subscriber: { ...subscriber, scope: "utility" }, setting: cartSetting(), keys, now: changed });
    expect(utilityOnly.messages).toEqual([]);
  });

  it("does not repeat a step already sent, and drops steps a late event has overtaken", () => {
    const resumed = planAbandonedCart({ shop, cart: cart({ sentSteps: [1] }), subscriber, setting: cartSetting(), keys, now: changed });
    expect(resumed.messages.map((m) => m.notification.step)).toEqual([2, 3]);
    const late = new Date(changed.getTime() + 30 * H);
    const overtaken = planAbandonedCart({ shop, cart: cart(), subscriber, setting: cartSetting(), keys, now: late });
    expect(overtaken.messages.map((m) => m.notification.step)).toEqual([2, 3]);
    expect(overtaken.messages[0].notification.sendAt).toEqual(late);
  });

  it("uses the checkout's recovery URL when there is one", () => {
    const url = recoveryLink(shop, { recoveryUrl: "https://planner.myshopify.com/123/checkouts/abc/recover?key=k", lines: [] }, "RBCODE");
    expect(new URL(url).searchParams.get("key")).toBe("k");
    expect(new URL(url).searchParams.get("discount")).toBe("RBCODE");
  });

  it("keeps the control group stable and roughly the configured size", () => {
    const held = Array.from({ length: 2000 }, (_, i) => isHeldOut(shop, "abandoned_cart", `s${i}`, 10)).filter(Boolean).length;
    expect(held).toBeGreaterThan(140);
    expect(held).toBeLessThan(260);
    expect(holdoutBucket(shop, "abandoned_cart", "s1")).toBe(holdoutBucket(shop, "abandoned_cart", "s1"));
    const id = Array.from({ length: 100 }, (_, i) => `s${i}`).find((s) => isHeldOut(shop, "abandoned_cart", s, 10))!;
    const plan = planAbandonedCart({ shop, cart: cart(), subscriber: { ...subscriber, id }, setting: cartSetting(10), keys, now: changed });
    expect(plan.messages.every((m) => m.heldOut)).toBe(true);
  });
});

describe("appointment reminders", () => {
  const setting = { enabled: true, config: defaultFlowConfig("appointment") };
  const order = (properties: unknown) => ({ id: "o1", cancelled: false, lines: [{ lineItemId: "li1", title: "Haircut", properties }] });

  it("reads the booking in the shop's time zone, across a DST change", () => {
    // Europe/Madrid moves from UTC+1 to UTC+2 on 29 March 2026 at 02:00.
    expect(zonedTimeToUtc({ year: 2026, month: 3, day: 28, hour: 10, minute: 30 }, "Europe/Madrid").toISOString()).toBe("2026-03-28T09:30:00.000Z");
    expect(zonedTimeToUtc({ year: 2026, month: 3, day: 30, hour: 10, minute: 30 }, "Europe/Madrid").toISOString()).toBe("2026-03-30T08:30:00.000Z");
    expect(zonedTimeToUtc({ year: 2026, month: 11, day: 1, hour: 9, minute: 0 }, "America/New_York").toISOString()).toBe("2026-11-01T14:00:00.000Z");
    // 02:30 does not exist that night in Madrid; read as 03:30 local.
    expect(zonedTimeToUtc({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, "Europe/Madrid").toISOString()).toBe("2026-03-29T01:30:00.000Z");
    // The repeated hour when clocks go back is read as its first occurrence, east and west alike.
    expect(zonedTimeToUtc({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, "Europe/Madrid").toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(zonedTimeToUtc({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, "America/New_York").toISOString()).toBe("2026-11-01T05:30:00.000Z");
    expect(zonedTimeToUtc({ year: 2026, month: 4, day: 5, hour: 2, minute: 30 }, "Australia/Sydney").toISOString()).toBe("2026-04-04T15:30:00.000Z");
    expect(zonedTimeToUtc({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, "America/New_York").toISOString()).toBe("2026-03-08T07:30:00.000Z");
  });

  it("plans a UTILITY reminder the configured hours before, keyed to the booking", () => {
    const now = new Date("2026-03-20T12:00:00Z");
    const plan = planAppointments({
      shop, timeZone: "Europe/Madrid", now, subscriber: { ...subscriber, scope: "utility" },
      setting: { enabled: true, config: readFlowConfig("appointment", { hoursBefore: 24 }) },
      order: order([{ name: "Booking date", value: "2026-03-30" }, { name: "Booking time", value: "10:30" }]),
    });
    expect(plan.messages).toHaveLength(1);
    const n = plan.messages[0].notification;
    // 24 h before 10:30 Madrid on 30 March (UTC+2) crosses the DST change: 08:30Z on the 29th.
    expect(n.sendAt.toISOString()).toBe("2026-03-29T08:30:00.000Z");
    expect(n.expiresAt?.toISOString()).toBe("2026-03-30T08:30:00.000Z");
    expect(n.params.body).toEqual(["Haircut", "Monday, 30 March 2026", "10:30"]);
  });

  it("accepts a combined value and 12-hour times, and ignores what it cannot read", () => {
    expect(parseBooking("2026-04-02 3:15 pm", null)).toEqual({ year: 2026, month: 4, day: 2, hour: 15, minute: 15 });
    expect(parseBooking("2026-02-30", "10:00")).toBeNull();
    expect(parseBooking("2026-04-02", null)).toBeNull();
    expect(parseBooking("next tuesday", "10:00")).toBeNull();
  });

  it("skips bookings in the past and shoppers who opted out", () => {
    const now = new Date("2026-04-10T12:00:00Z");
    const past = planAppointments({ shop, timeZone: "UTC", now, subscriber, setting, order: order({ "Booking date": "2026-04-01 10:00" }) });
    expect(past.messages).toEqual([]);
    const optedOut = planAppointments({
      shop, timeZone: "UTC", now, subscriber: { ...subscriber, status: "unsubscribed" }, setting, order: order({ "Booking date": "2026-05-01 10:00" }),
    });
    expect(optedOut.messages).toEqual([]);
  });
});

describe("time to reorder", () => {
  const config = defaultFlowConfig("reorder");
  it("uses the merchant's interval, else a learned median once there are enough samples, else the default", () => {
    expect(chooseInterval({ replenishmentDays: 21, repeatGapsDays: [10, 10, 10, 10, 10] }, config)).toEqual({ days: 21, source: "merchant" });
    expect(chooseInterval({ replenishmentDays: null, repeatGapsDays: [28, 30, 31, 29, 90] }, config)).toEqual({ days: 30, source: "learned" });
    expect(chooseInterval({ replenishmentDays: null, repeatGapsDays: [28, 30, 31, 29] }, config)).toEqual({ days: 30, source: "default" });
    expect(chooseInterval({ replenishmentDays: null, repeatGapsDays: [0.1, 0.2, 14, 14, 14, 14] }, config)).toEqual({ days: 30, source: "default" });
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("plans one reminder per product from the order date, and none for a cancelled order", () => {
    const placedAt = new Date("2026-01-01T09:00:00Z");
    const products = [
      { productId: "p1", variantId: "v1", title: "Coffee beans", handle: "coffee", replenishmentDays: 14, repeatGapsDays: [] },
      { productId: "p1", variantId: "v2", title: "Coffee beans", handle: "coffee", replenishmentDays: 14, repeatGapsDays: [] },
    ];
    const setting = { enabled: true, holdoutPercent: 0, config };
    const plan = planReorder({ shop, order: { id: "o1", placedAt, cancelled: false }, products, subscriber, setting, keys, now: placedAt });
    expect(plan.messages).toHaveLength(1);
    expect(plan.messages[0].notification).toMatchObject({ sendAt: new Date(placedAt.getTime() + 14 * D), orderId: "o1", variantId: "v1" });
    expect(plan.messages[0].notification.params.body).toEqual(["Coffee beans", "14"]);
    const cancelled = planReorder({ shop, order: { id: "o1", placedAt, cancelled: true }, products, subscriber, setting, keys, now: placedAt });
    expect(cancelled.messages).toEqual([]);
  });
});

describe("upsell", () => {
  const rec = (productId: string, coPurchases: number, status = "active"): Recommendation => ({
    productId, variantId: `v-${productId}`, title: `Product ${productId}`, handle: productId, status, coPurchases,
  });
  it("recommends the most co-purchased product not already owned, else the merchant's pick", () => {
    const owned = new Set(["p1", "p2"]);
    expect(chooseRecommendation([rec("p2", 50), rec("p3", 9), rec("p4", 12)], null, owned, 3)?.productId).toBe("p4");
    expect(chooseRecommendation([rec("p3", 2)], rec("p9", 0), owned, 3)?.productId).toBe("p9");
    expect(chooseRecommendation([rec("p3", 20, "archived")], null, owned, 3)).toBeNull();
    expect(chooseRecommendation([], rec("p1", 0), owned, 3)).toBeNull();
  });

  it("sends the set number of days after the order", () => {
    const placedAt = new Date("2026-01-01T09:00:00Z");
    const setting = { enabled: true, holdoutPercent: 0, config: defaultFlowConfig("upsell") };
    const plan = planUpsell({
      shop, order: { id: "o1", placedAt, cancelled: false, firstTitle: "Shirt" }, owned: new Set(["p1"]),
      candidates: [rec("p5", 4)], fallback: null, subscriber, setting, keys, now: placedAt,
    });
    expect(plan.messages[0].notification).toMatchObject({ sendAt: new Date(placedAt.getTime() + 7 * D), variantId: "v-p5" });
    expect(plan.messages[0].notification.params.body).toEqual(["Product p5", "Shirt"]);
  });
});

describe("settings", () => {
  it("starts from working defaults and names bad fields", () => {
    expect(defaultFlowConfig("abandoned_cart").steps.map((s) => s.delayHours)).toEqual([1, 24, 72]);
    const bad = validateFlowConfig("abandoned_cart", {
      steps: [{ delayHours: 5, templateName: "a" }, { delayHours: 2, templateName: "Bad Name" }],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.errors)).toEqual(expect.arrayContaining(["steps.1.templateName", "steps"]));
    expect(validateFlowConfig("back_in_stock", { messagesPerUnit: 0 }).ok).toBe(false);
  });

  it("reads the admin settings page's shape", () => {
    const stored = {
      steps: [
        { delayHours: 2, templateName: "cart_a", templateLanguage: "es" },
        { delayHours: 30, templateName: "cart_b", templateLanguage: "es" },
      ],
      discount: { kind: "percentage", value: 15 },
    };
    const config = readFlowConfig("abandoned_cart", stored);
    expect(config.steps).toEqual([
      { delayHours: 2, templateName: "cart_a", language: "es", discount: null },
      { delayHours: 30, templateName: "cart_b", language: "es", discount: { kind: "percentage", value: 15, validHours: 48 } },
    ]);
    const bis = readFlowConfig("back_in_stock", { steps: [{ delayHours: 0.5, templateName: "restock", templateLanguage: "en" }], discount: { kind: "none", value: 0 } });
    expect(bis).toMatchObject({ templateName: "restock", delayMinutes: 30 });
  });
});

describe("promotion cap window", () => {
  it("starts the month at local midnight of the 1st", () => {
    expect(monthStart(new Date("2026-03-31T23:30:00Z"), "Europe/Madrid").toISOString()).toBe("2026-03-31T22:00:00.000Z");
    expect(monthStart(new Date("2026-03-15T12:00:00Z"), "UTC").toISOString()).toBe("2026-03-01T00:00:00.000Z");
  });
});
