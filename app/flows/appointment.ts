import type { ShopperState } from "./abandoned-cart";
import { HOUR, addMs, type FlowPlan, type PlannedMessage } from "./plan";
import type { AppointmentConfig } from "./settings";
import { isValidLocalDateTime, zonedTimeToUtc, type LocalDateTime } from "../shared/zoned-time";

/**
 * Appointment reminders for shops that sell bookings: a line item property (named by the
 * merchant, e.g. "Booking date") carries the local date and time; up to three UTILITY reminders
 * go out set numbers of hours before. The booking is read in the shop's time zone, so DST shifts
 * land right; the offsets are real hours before that instant.
 * Body parameters: {{1}} item title, {{2}} local date, {{3}} local time.
 */
export interface BookingLine {
  lineItemId: string;
  title: string;
  /** Shopify sends [{ name, value }]; older payloads may carry a plain object */
  properties: unknown;
}

function propertyValue(properties: unknown, name: string): string | null {
  const wanted = name.trim().toLowerCase();
  if (Array.isArray(properties)) {
    for (const p of properties) {
      if (p && typeof p === "object" && String((p as { name?: unknown }).name ?? "").trim().toLowerCase() === wanted) {
        const value = (p as { value?: unknown }).value;
        return value == null ? null : String(value).trim();
      }
    }
    return null;
  }
  if (properties && typeof properties === "object") {
    for (const [key, value] of Object.entries(properties)) {
      if (key.trim().toLowerCase() === wanted) return value == null ? null : String(value).trim();
    }
  }
  return null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](.+))?$/;
const TIME = /^(\d{1,2}):(\d{2})(?::\d{2})?\s*(am|pm)?$/i;

/** "2026-03-29" + "10:30" (or "2026-03-29 10:30", "2026-03-29T10:30", "10:30 am"). */
export function parseBooking(date: string | null, time: string | null): LocalDateTime | null {
  if (!date) return null;
  const d = DATE.exec(date.trim());
  if (!d) return null;
  const t = TIME.exec((d[4] ?? time ?? "").trim());
  // A date without a time has no "hours before"; no reminder rather than a guess.
  if (!t) return null;
  let hour = Number(t[1]);
  const minute = Number(t[2]);
  const meridiem = t[3]?.toLowerCase();
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === "pm" ? 12 : 0);
  }
  const local = { year: Number(d[1]), month: Number(d[2]), day: Number(d[3]), hour, minute };
  return isValidLocalDateTime(local) ? local : null;
}

/** A catch-up reminder needs this much room before the booking and before the next reminder. */
const SHORT_NOTICE = HOUR;

/**
 * When each reminder goes out. Reminders whose time is still ahead go out on time. Those whose
 * time has passed (booked or moved at short notice) become one reminder now, keyed as the
 * latest of them, so the shopper never gets two at once; it is dropped when the booking is
 * under an hour away, when an on-time reminder follows within the hour and says the same, or
 * when the shopper has already had a reminder of this booking.
 */
export function reminderTimes(
  booking: Date,
  reminders: Array<{ hoursBefore: number }>,
  now: Date,
  alreadyReminded = false,
): Array<{ hoursBefore: number; sendAt: Date }> {
  const due = reminders
    .map((r) => ({ hoursBefore: r.hoursBefore, sendAt: addMs(booking, -r.hoursBefore * HOUR) }))
    .sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime());
  const onTime = due.filter((d) => d.sendAt.getTime() >= now.getTime());
  const missed = due.filter((d) => d.sendAt.getTime() < now.getTime());
  const latestMissed = missed[missed.length - 1];
  // A catch-up is for a shopper not yet reminded of this booking at all.
  if (!latestMissed || alreadyReminded) return onTime;
  const roomBeforeBooking = booking.getTime() - now.getTime() >= SHORT_NOTICE;
  const roomBeforeNext = !onTime[0] || onTime[0].sendAt.getTime() - now.getTime() >= SHORT_NOTICE;
  return roomBeforeBooking && roomBeforeNext ? [{ hoursBefore: latestMissed.hoursBefore, sendAt: now }, ...onTime] : onTime;
}

export function planAppointments(input: {
  shop: string;
  timeZone: string;
  order: { id: string; cancelled: boolean; lines: BookingLine[] };
  subscriber: ShopperState | null;
  setting: { enabled: boolean; config: AppointmentConfig };
  /** Dedup keys of this order's reminders that have gone out (older keys have no offset suffix) */
  sentKeys?: string[];
  now: Date;
}): FlowPlan {
  const { shop, timeZone, order, subscriber, setting, now } = input;
  const sent = input.sentKeys ?? [];
  // A reminder of one's own booking is UTILITY: either consent scope covers it; an opt-out does not.
  // A pending double opt-in is planned for; the gate sends only once it is confirmed.
  if (!setting.enabled || order.cancelled || !subscriber || subscriber.status === "unsubscribed") {
    return { messages: [], cancellations: [] };
  }
  const { config } = setting;
  const messages: PlannedMessage[] = [];
  for (const line of order.lines) {
    const local = parseBooking(
      propertyValue(line.properties, config.bookingDateProperty),
      config.bookingTimeProperty ? propertyValue(line.properties, config.bookingTimeProperty) : null,
    );
    if (!local) continue;
    const booking = zonedTimeToUtc(local, timeZone);
    if (booking.getTime() <= now.getTime()) continue;
    const bookingKey = `appointment:${order.id}:${line.lineItemId}:${booking.getTime()}`;
    const reminded = sent.some((k) => k === bookingKey || k.startsWith(`${bookingKey}:`));
    for (const reminder of reminderTimes(booking, config.reminders, now, reminded)) {
      messages.push({
        notification: {
          shop,
          flow: "appointment",
          // Keyed by the offset, so a re-plan finds the reminder it already sent or scheduled.
          dedupKey: `${bookingKey}:${reminder.hoursBefore}h`,
          subscriberId: subscriber.id,
          sendAt: reminder.sendAt,
          expiresAt: booking,
          templateName: config.templateName,
          templateLanguage: config.language,
          params: { body: [line.title, formatLocalDate(booking, timeZone), formatLocalTime(local)] },
          orderId: order.id,
        },
        heldOut: false,
      });
    }
  }
  return {
    messages,
    cancellations: [
      { predicate: { flow: "appointment", orderId: order.id }, reason: "booking_changed", keep: messages.map((m) => m.notification.dedupKey) },
    ],
  };
}

function formatLocalDate(instant: Date, timeZone: string) {
  return new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(instant);
}

const formatLocalTime = (l: LocalDateTime) => `${String(l.hour).padStart(2, "0")}:${String(l.minute).padStart(2, "0")}`;
