import { describe, expect, it } from "vitest";
import { orderPayload, shopifyNumericId, type LineInput } from "../../fakes/shopify/payloads";
import type { FakeTemplate } from "../../fakes/whatsapp/server";
import { bodyTexts, rangeAround, useFlowHarness } from "./harness";
import { resultsByFlow } from "../../../app/flows/results.server";

/**
 * Appointment reminders end to end: the booking's local date and time ride in the order's line
 * item properties, the reminder is planned a set number of hours before in the shop's time zone
 * (Europe/Madrid, across the spring-forward night), and the dispatcher sends it as a UTILITY
 * template, which reaches shoppers marketing may not: a reminders-only opt-in and a +1 number.
 */
const HOUR = 3_600_000;
const reminder: FakeTemplate = {
  name: "appointment_reminder",
  language: "en",
  category: "UTILITY",
  components: [{ type: "BODY", text: "Reminder: {{1}} on {{2}} at {{3}}. See you there!" }],
};

const h = useFlowHarness({
  shop: "appointment-e2e.myshopify.com",
  templates: [reminder],
  flows: [
    {
      flow: "appointment",
      config: { templateName: "appointment_reminder", language: "en", hoursBefore: 24, bookingDateProperty: "Booking date", bookingTimeProperty: "Booking time" },
    },
  ],
});

/** The last Sunday of March of next year: Europe moves to summer time that night at 02:00 UTC+1. */
function springForwardSunday(now: Date) {
  const year = now.getUTCFullYear() + 1;
  const lastOfMarch = new Date(Date.UTC(year, 2, 31));
  const day = 31 - lastOfMarch.getUTCDay();
  return { year, day, iso: `${year}-03-${day}` };
}

const classLine = (properties: LineInput["properties"]): LineInput => ({
  variantId: shopifyNumericId(),
  productId: shopifyNumericId(),
  title: "Barista Class",
  quantity: 1,
  price: "45.00",
  properties,
});
const beansLine: LineInput = { variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Beans", quantity: 1, price: "12.00" };

async function placeOrder(input: Parameters<typeof orderPayload>[0]) {
  const order = orderPayload({ financialStatus: "paid", ...input });
  expect((await h.send("orders/create", order)).status).toBe(200);
  expect((await h.send("orders/paid", order)).status).toBe(200);
  return order;
}

describe("appointment reminders, end to end", () => {
  it("reminds 24 hours before a booking on the spring-forward Sunday, as a utility message", async () => {
    const sunday = springForwardSunday(h.clock.now());
    const ana = await h.subscriber("+34655000001", { scope: "utility", acceptsOffers: false });
    const ed = await h.subscriber("+12025550123", { callingCode: "1" });

    const anaOrder = await placeOrder({
      phone: ana.phone,
      lines: [classLine([{ name: "Booking date", value: sunday.iso }, { name: "Booking time", value: "10:30" }]), beansLine],
      createdAt: h.clock.now(),
    });
    // Date and time in one property, on a 12-hour clock.
    const edOrder = await placeOrder({ phone: ed.phone, lines: [classLine([{ name: "Booking date", value: `${sunday.iso} 4:00 pm` }])], createdAt: h.clock.now() });
    await h.tasksSettled();

    const [anaPlanned, edPlanned] = await Promise.all(
      [anaOrder, edOrder].map((o) =>
        h.waitFor("the reminder to be planned", () => h.prisma.notification.findFirst({ where: { shop: h.shop, flow: "appointment", orderId: String(o.id) } })),
      ),
    );
    expect(await h.prisma.notification.count({ where: { shop: h.shop, flow: "appointment", orderId: String(anaOrder.id) } })).toBe(1);
    // 10:30 and 16:00 summer time (UTC+2) that Sunday; 24 hours earlier is still winter time.
    const anaBooking = Date.UTC(sunday.year, 2, sunday.day, 8, 30);
    const edBooking = Date.UTC(sunday.year, 2, sunday.day, 14, 0);
    expect(anaPlanned).toMatchObject({ subscriberId: ana.id, status: "scheduled", templateName: "appointment_reminder" });
    expect(anaPlanned.sendAt.getTime()).toBe(anaBooking - 24 * HOUR);
    expect(anaPlanned.expiresAt?.getTime()).toBe(anaBooking);
    expect(edPlanned.sendAt.getTime()).toBe(edBooking - 24 * HOUR);

    h.clock.advance(anaPlanned.sendAt.getTime() - HOUR - h.clock.now().getTime());
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.fake.accepted.some((m) => m.callbackData === anaPlanned.id)).toBe(false);

    h.clock.advance(HOUR + 60_000);
    const toAna = await h.delivered(anaPlanned.id);
    expect(toAna.template).toBe("appointment_reminder");
    expect(toAna.to.replace(/^\+/, "")).toBe(ana.phone.replace(/^\+/, ""));
    expect(bodyTexts(toAna)).toEqual(["Barista Class", `Sunday, ${sunday.day} March ${sunday.year}`, "10:30"]);
    expect(h.fake.accepted.some((m) => m.callbackData === edPlanned.id)).toBe(false);

    h.clock.advance(edPlanned.sendAt.getTime() - h.clock.now().getTime() + 60_000);
    const toEd = await h.delivered(edPlanned.id);
    expect(bodyTexts(toEd)).toEqual(["Barista Class", `Sunday, ${sunday.day} March ${sunday.year}`, "16:00"]);

    // A utility reminder carries no offer to tap, so an order after it is not credited to it.
    expect(toAna.components.some((c) => c.type === "button")).toBe(false);
    expect(await h.prisma.trackedLink.count({ where: { shop: h.shop, notificationId: anaPlanned.id } })).toBe(0);
    const later = await placeOrder({ phone: ana.phone, lines: [beansLine], createdAt: new Date(h.clock.now().getTime() + 60_000) });
    await h.tasksSettled();
    expect(await h.prisma.order.count({ where: { shop: h.shop, id: String(later.id) } })).toBe(1);
    expect(await h.prisma.attribution.count({ where: { shop: h.shop, orderId: String(later.id) } })).toBe(0);

    expect((await resultsByFlow(h.shop, rangeAround(h.clock))).find((r) => r.key === "appointment")).toMatchObject({ sent: 2, clicked: 0, orders: 0, revenue: "0.00" });
  });

  it("plans the reminder from orders/paid when orders/create is late, and only once", async () => {
    const shopper = await h.subscriber("+34655000004");
    const inTwoWeeks = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Madrid", year: "numeric", month: "2-digit", day: "2-digit" })
      .format(new Date(h.clock.now().getTime() + 14 * 24 * HOUR));
    const order = orderPayload({
      phone: shopper.phone,
      financialStatus: "paid",
      lines: [classLine([{ name: "Booking date", value: inTwoWeeks }, { name: "Booking time", value: "17:30" }])],
      createdAt: h.clock.now(),
    });
    // Shopify does not promise the order of deliveries: here the payment is announced first.
    expect((await h.send("orders/paid", order)).status).toBe(200);
    const planned = await h.waitFor("the reminder to be planned", () =>
      h.prisma.notification.findFirst({ where: { shop: h.shop, flow: "appointment", orderId: String(order.id) } }),
    );
    expect(planned.params).toMatchObject({ body: ["Barista Class", expect.any(String), "17:30"] });
    expect((await h.send("orders/create", order)).status).toBe(200);
    await h.tasksSettled();
    const rows = await h.prisma.notification.findMany({ where: { shop: h.shop, flow: "appointment", orderId: String(order.id) } });
    expect(rows.map((r) => [r.id, r.status])).toEqual([[planned.id, "scheduled"]]);
  });

  it("drops the reminder when the shop cancels the booking's order", async () => {
    const shopper = await h.subscriber("+34655000003");
    const inAMonth = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Madrid", year: "numeric", month: "2-digit", day: "2-digit" })
      .format(new Date(h.clock.now().getTime() + 30 * 24 * HOUR));
    const booked = await placeOrder({
      phone: shopper.phone,
      lines: [classLine([{ name: "Booking date", value: inAMonth }, { name: "Booking time", value: "11:00" }])],
      createdAt: h.clock.now(),
    });
    const planned = await h.waitFor("the reminder to be planned", () =>
      h.prisma.notification.findFirst({ where: { shop: h.shop, flow: "appointment", orderId: String(booked.id) } }),
    );
    // Shopify sends orders/cancelled with the whole order, cancelled_at and a newer updated_at.
    const cancelledAt = new Date(h.clock.now().getTime() + 60_000);
    const cancelled = { ...booked, cancelled_at: cancelledAt.toISOString(), cancel_reason: "customer", updated_at: cancelledAt.toISOString() };
    expect((await h.send("orders/cancelled", cancelled)).status).toBe(200);
    const dropped = await h.waitFor("the reminder to be cancelled", async () => {
      const row = await h.prisma.notification.findUniqueOrThrow({ where: { id: planned.id } });
      return row.status === "cancelled" ? row : null;
    });
    expect(dropped.decisionReason).toBe("order_cancelled");
    expect((await h.prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: h.shop, id: String(booked.id) } } })).cancelledAt).toEqual(cancelledAt);
    // A late orders/create with the order as it was before the cancellation plans nothing again.
    expect((await h.send("orders/create", booked)).status).toBe(200);
    await h.tasksSettled();
    expect(await h.prisma.notification.count({ where: { shop: h.shop, flow: "appointment", orderId: String(booked.id), status: "scheduled" } })).toBe(0);
    h.clock.advance(planned.sendAt.getTime() - h.clock.now().getTime() + 60_000);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(h.fake.accepted.some((m) => m.callbackData === planned.id)).toBe(false);
  });

  it("plans no reminder for a booking without a time, or one already past", async () => {
    const shopper = await h.subscriber("+34655000002");
    const order = await placeOrder({
      phone: shopper.phone,
      lines: [
        classLine([{ name: "Booking date", value: "2031-05-04" }]),
        classLine([{ name: "Booking date", value: "2020-05-04" }, { name: "Booking time", value: "10:00" }]),
      ],
      createdAt: h.clock.now(),
    });
    await h.tasksSettled();
    expect(await h.prisma.notification.count({ where: { shop: h.shop, flow: "appointment", orderId: String(order.id) } })).toBe(0);
  });
});
