import type { ShopperState } from "./abandoned-cart";
import { HOUR, addMs, type FlowPlan, type PlannedMessage } from "./plan";
import type { AppointmentConfig } from "./settings";

/**
 * Appointment reminders for shops that sell bookings: a line item property (named by the
 * merchant, e.g. "Booking date") carries the local date and time; a UTILITY reminder goes out a
 * set number of hours before, computed in the shop's time zone so DST shifts land right.
 * Body parameters: {{1}} item title, {{2}} local date, {{3}} local time.
 */
export interface BookingLine {
  lineItemId: string;
  title: string;
  /** Shopify sends [{ name, value }]; older payloads may carry a plain object */
  properties: unknown;
}

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
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
  const probe = new Date(Date.UTC(local.year, local.month - 1, local.day, hour, minute));
  if (
    hour > 23 || minute > 59 ||
    probe.getUTCFullYear() !== local.year || probe.getUTCMonth() !== local.month - 1 || probe.getUTCDate() !== local.day
  ) {
    return null;
  }
  return local;
}

/** Offset of `timeZone` from UTC at `instant`, in ms (positive east of Greenwich). */
export function zoneOffsetMs(timeZone: string, instant: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant a wall-clock time in `timeZone` names. Two passes settle the offset across a DST
 * change; a time skipped by spring-forward (02:30 on the changeover night) moves an hour later,
 * as a person would read it.
 */
export function zonedTimeToUtc(local: LocalDateTime, timeZone: string): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const first = wall - zoneOffsetMs(timeZone, new Date(wall));
  const second = wall - zoneOffsetMs(timeZone, new Date(first));
  if (second === first) return new Date(first);
  // The offsets disagree only in a gap: take the later reading.
  return new Date(Math.max(first, second));
}

export function planAppointments(input: {
  shop: string;
  timeZone: string;
  order: { id: string; cancelled: boolean; lines: BookingLine[] };
  subscriber: ShopperState | null;
  setting: { enabled: boolean; config: AppointmentConfig };
  now: Date;
}): FlowPlan {
  const { shop, timeZone, order, subscriber, setting, now } = input;
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
    const due = addMs(booking, -config.hoursBefore * HOUR);
    // Booked at short notice: remind now unless the appointment is under an hour away.
    if (due.getTime() < now.getTime() && booking.getTime() - now.getTime() < HOUR) continue;
    const sendAt = due.getTime() < now.getTime() ? now : due;
    messages.push({
      notification: {
        shop,
        flow: "appointment",
        dedupKey: `appointment:${order.id}:${line.lineItemId}:${booking.getTime()}`,
        subscriberId: subscriber.id,
        sendAt,
        expiresAt: booking,
        templateName: config.templateName,
        templateLanguage: config.language,
        params: { body: [line.title, formatLocalDate(booking, timeZone), formatLocalTime(local)] },
        orderId: order.id,
      },
      heldOut: false,
    });
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
