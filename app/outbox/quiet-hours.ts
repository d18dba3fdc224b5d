import { addDays, wallTime, zonedTimeToUtc } from "../shared/zoned-time";

/**
 * Quiet hours in the shop's IANA time zone (wall-clock conversions in app/shared/zoned-time.ts).
 */
export interface QuietHours {
  enabled: boolean;
  /** Minutes after local midnight */
  start: number;
  end: number;
  timeZone: string;
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
  const date = addDays(w, endsTomorrow ? 1 : 0);
  const end = zonedTimeToUtc(
    { ...date, hour: Math.floor(quiet.end / 60), minute: quiet.end % 60 },
    quiet.timeZone,
  );
  return end.getTime() > now.getTime() ? end : new Date(now.getTime() + 60_000);
}
