import { Temporal } from "temporal-polyfill";

/**
 * Wall-clock time in a shop's IANA time zone, both ways: the one place the app turns a local
 * date and time into an instant and back (quiet hours, appointment bookings, campaign
 * schedules, the promotion cap's month). Zone rules come from the runtime's time zone database.
 */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export interface WallTime extends LocalDateTime {
  second: number;
}

/**
 * The instant a wall-clock time names in `timeZone`, read as a person would (Temporal's
 * "compatible" disambiguation, ADR 028): a time skipped when clocks go forward (02:30 on the
 * changeover night) moves later by the length of the gap; a time that happens twice when clocks
 * go back is its first occurrence, in every zone.
 */
export function zonedTimeToUtc(local: LocalDateTime, timeZone: string): Date {
  const instant = Temporal.PlainDateTime.from(local, { overflow: "reject" }).toZonedDateTime(timeZone, {
    disambiguation: "compatible",
  });
  return new Date(instant.epochMilliseconds);
}

// Intl's formatters are costly to build and cheap to reuse: the gate reads the wall time of
// every message it checks against quiet hours.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** What a clock in `timeZone` shows at `at`. */
export function wallTime(at: Date, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) if (p.type !== "literal") parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** The calendar day `days` after the given one (month and year ends roll over). */
export function addDays(date: { year: number; month: number; day: number }, days: number) {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** True when the date names a real calendar day (no 30 February) and the time a real clock time. */
export function isValidLocalDateTime(local: LocalDateTime): boolean {
  if (!Object.values(local).every(Number.isInteger)) return false;
  try {
    Temporal.PlainDateTime.from(local, { overflow: "reject" });
    return true;
  } catch {
    return false;
  }
}
