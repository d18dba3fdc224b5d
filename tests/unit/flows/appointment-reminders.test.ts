import { describe, expect, it } from "vitest";
import { planAppointments, reminderTimes } from "../../../app/flows/appointment";
import { defaultFlowConfig, readFlowConfig } from "../../../app/flows/settings";

const shop = "reminders.myshopify.com";
const H = 3_600_000;
const subscriber = { id: "sub-1", status: "subscribed" as const, scope: "utility" as const, marketingStoppedAt: null };
const order = (value: string, id = "o1") => ({
  id, cancelled: false, lines: [{ lineItemId: "li1", title: "Massage", properties: [{ name: "Booking date", value }] }],
});
const plan = (config: unknown, now: Date, booking = "2026-05-20 10:00", timeZone = "UTC") =>
  planAppointments({ shop, timeZone, now, subscriber, order: order(booking), setting: { enabled: true, config: readFlowConfig("appointment", config) } });
const times = (p: ReturnType<typeof plan>) => p.messages.map((m) => m.notification.sendAt.toISOString());
const keys = (p: ReturnType<typeof plan>) => p.messages.map((m) => m.notification.dedupKey);
const bookingAt = new Date("2026-05-20T10:00:00Z");
const before = (hours: number) => new Date(bookingAt.getTime() - hours * H);

describe("several appointment reminders", () => {
  it("plans 24 h and 2 h before by default, each with its own key, kept together", () => {
    expect(defaultFlowConfig("appointment").reminders).toEqual([{ hoursBefore: 24 }, { hoursBefore: 2 }]);
    const p = plan({}, before(72));
    expect(times(p)).toEqual(["2026-05-19T10:00:00.000Z", "2026-05-20T08:00:00.000Z"]);
    expect(new Set(keys(p)).size).toBe(2);
    expect(keys(p).every((k) => k.startsWith(`appointment:o1:li1:${bookingAt.getTime()}:`))).toBe(true);
    expect(p.messages.every((m) => m.notification.expiresAt?.getTime() === bookingAt.getTime())).toBe(true);
    expect(p.cancellations).toEqual([{ predicate: { flow: "appointment", orderId: "o1" }, reason: "booking_changed", keep: keys(p) }]);
  });

  it("counts real hours before the booking across a DST change", () => {
    // Madrid goes from UTC+1 to UTC+2 at 02:00 on 29 March 2026; the booking is 10:30 on the 30th (08:30Z).
    const p = plan({ reminders: [{ hoursBefore: 48 }, { hoursBefore: 3 }] }, new Date("2026-03-20T12:00:00Z"), "2026-03-30 10:30", "Europe/Madrid");
    // 48 h earlier is 08:30Z on the 28th, 09:30 on the wall clock before the change.
    expect(times(p)).toEqual(["2026-03-28T08:30:00.000Z", "2026-03-30T05:30:00.000Z"]);
    expect(p.messages[0].notification.params.body).toEqual(["Massage", "Monday, 30 March 2026", "10:30"]);
  });

  it("turns the reminders a late booking missed into one sent now", () => {
    // Booked 10 h ahead: the 24 h reminder is owed now, the 2 h one comes on time.
    const late = plan({}, before(10));
    expect(times(late)).toEqual([before(10).toISOString(), before(2).toISOString()]);
    // Booked 90 minutes ahead: both are missed, one reminder goes now.
    const later = plan({}, before(1.5));
    expect(times(later)).toEqual([before(1.5).toISOString()]);
    expect(keys(later)[0]).toMatch(/:2h$/);
    // Three reminders, two missed: still one now.
    expect(times(plan({ reminders: [{ hoursBefore: 48 }, { hoursBefore: 24 }, { hoursBefore: 2 }] }, before(20)))).toEqual([
      before(20).toISOString(),
      before(2).toISOString(),
    ]);
  });

  it("sends no catch-up when an on-time reminder or the booking is under an hour away", () => {
    // 2 h 30 ahead: the 2 h reminder comes in 30 minutes and says the same.
    expect(times(plan({}, before(2.5)))).toEqual([before(2).toISOString()]);
    // 45 minutes ahead: too late to remind at all.
    const tooLate = plan({}, before(0.75));
    expect(tooLate.messages).toEqual([]);
    expect(tooLate.cancellations[0].keep).toEqual([]);
    expect(reminderTimes(bookingAt, [{ hoursBefore: 3 }], before(1))).toEqual([{ hoursBefore: 3, sendAt: before(1) }]);
    expect(reminderTimes(bookingAt, [{ hoursBefore: 3 }], new Date(before(1).getTime() + 1))).toEqual([]);
  });

  it("re-plans to the same keys after a reminder went out, so nothing is sent twice", () => {
    const first = plan({}, before(30));
    const again = plan({}, before(10));
    expect(keys(again)).toEqual(keys(first));
    // The booking moved: new keys, and the old ones are not kept.
    const moved = plan({}, before(30), "2026-05-21 10:00");
    expect(keys(moved).some((k) => keys(first).includes(k))).toBe(false);
    expect(moved.cancellations[0].keep).toEqual(keys(moved));
  });

  it("sends no catch-up for a booking whose shopper was already reminded, under an older key too", () => {
    const replan = (sentKeys: string[]) =>
      planAppointments({
        shop, timeZone: "UTC", now: before(10), subscriber, order: order("2026-05-20 10:00"), sentKeys,
        setting: { enabled: true, config: defaultFlowConfig("appointment") },
      });
    const bookingKey = `appointment:o1:li1:${bookingAt.getTime()}`;
    expect(times(replan([]))).toEqual([before(10).toISOString(), before(2).toISOString()]);
    expect(times(replan([bookingKey]))).toEqual([before(2).toISOString()]);
    expect(times(replan([`${bookingKey}:24h`]))).toEqual([before(2).toISOString()]);
    // A reminder of another booking on the same order does not count.
    expect(times(replan([`appointment:o1:li1:${bookingAt.getTime() - 86_400_000}:2h`]))).toHaveLength(2);
  });

  it("reads a stored single hoursBefore as one reminder", () => {
    const p = plan({ hoursBefore: 6, templateName: "visit_reminder" }, before(72));
    expect(times(p)).toEqual([before(6).toISOString()]);
    expect(p.messages[0].notification.templateName).toBe("visit_reminder");
  });
});
