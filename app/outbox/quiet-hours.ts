/**
 * Quiet hours in the shop's IANA time zone. Offsets come from Intl for the instant in question,
 * so daylight-saving changes are the time zone database's business, not ours.
 */
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

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function wallTime(at: Date, timeZone: string): WallTime {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(at)
      .filter((p) => p.type !== "literal")
      .map((p) => [p.type, Number(p.value)]),
  );
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

/** Milliseconds the zone is ahead of UTC at this instant. */
function offsetAt(at: Date, timeZone: string): number {
  const w = wallTime(at, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant a wall-clock time happens in the zone. A time skipped by a spring-forward change
 * resolves to the first instant after the gap; a repeated autumn time resolves to its first
 * occurrence.
 */
export function instantOf(local: Omit<WallTime, "second">, timeZone: string): Date {
  const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const first = guess - offsetAt(new Date(guess), timeZone);
  const second = guess - offsetAt(new Date(first), timeZone);
  if (first === second) return new Date(first);
  // Two candidates: either both map back to the wall time (fall back: take the earlier) or
  // neither does (spring forward gap: take the later, which lands just after the gap).
  const back = (t: number) => {
    const w = wallTime(new Date(t), timeZone);
    return w.hour === local.hour && w.minute === local.minute;
  };
  if (back(first) && back(second)) return new Date(Math.min(first, second));
  if (back(first)) return new Date(first);
  if (back(second)) return new Date(second);
  return new Date(Math.max(first, second));
}

export interface QuietHours {
  enabled: boolean;
  /** Minutes after local midnight */
  start: number;
  end: number;
  timeZone: string;
}

function addDays(year: number, month: number, day: number, days: number) {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * When quiet hours are on at `now`, the instant they end; otherwise null. A window whose start is
 * after its end (21:00-09:00) wraps midnight.
 */
export function quietUntil(now: Date, quiet: QuietHours): Date | null {
  if (!quiet.enabled || quiet.start === quiet.end) return null;
  const w = wallTime(now, quiet.timeZone);
  const minute = w.hour * 60 + w.minute;
  const wraps = quiet.start > quiet.end;
  const inside = wraps
    ? minute >= quiet.start || minute < quiet.end
    : minute >= quiet.start && minute < quiet.end;
  if (!inside) return null;
  // The window ends today unless we are in its evening part of a wrapping window.
  const endsTomorrow = wraps && minute >= quiet.start;
  const date = addDays(w.year, w.month, w.day, endsTomorrow ? 1 : 0);
  const end = instantOf(
    { ...date, hour: Math.floor(quiet.end / 60), minute: quiet.end % 60 },
    quiet.timeZone,
  );
  return end.getTime() > now.getTime() ? end : new Date(now.getTime() + 60_000);
}
