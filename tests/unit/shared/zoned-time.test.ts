import { describe, expect, it } from "vitest";
import { quietUntil } from "../../../app/outbox/quiet-hours";
import { isValidLocalDateTime, wallTime, zonedTimeToUtc } from "../../../app/shared/zoned-time";

const at = (local: string, zone: string) => {
  const [date, time] = local.split("T");
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  return zonedTimeToUtc({ year, month, day, hour, minute }, zone).toISOString();
};

describe("local time to UTC", () => {
  it("reads ordinary times with the offset in force on that day", () => {
    expect(at("2026-01-15T18:30", "Europe/Berlin")).toBe("2026-01-15T17:30:00.000Z");
    expect(at("2026-07-15T18:30", "Europe/Berlin")).toBe("2026-07-15T16:30:00.000Z");
    expect(at("2026-01-15T18:30", "America/New_York")).toBe("2026-01-15T23:30:00.000Z");
    expect(at("2026-07-15T18:30", "America/New_York")).toBe("2026-07-15T22:30:00.000Z");
  });

  it("moves a time skipped by spring-forward later by the gap", () => {
    // Berlin: 02:00 CET becomes 03:00 CEST on 29 March 2026 (01:00 UTC).
    expect(at("2026-03-29T01:59", "Europe/Berlin")).toBe("2026-03-29T00:59:00.000Z");
    expect(at("2026-03-29T02:30", "Europe/Berlin")).toBe("2026-03-29T01:30:00.000Z");
    expect(at("2026-03-29T03:00", "Europe/Berlin")).toBe("2026-03-29T01:00:00.000Z");
    // New York: 02:00 EST becomes 03:00 EDT on 8 March 2026 (07:00 UTC).
    expect(at("2026-03-08T02:30", "America/New_York")).toBe("2026-03-08T07:30:00.000Z");
    expect(at("2026-03-08T03:00", "America/New_York")).toBe("2026-03-08T07:00:00.000Z");
  });

  it("reads a time repeated by fall-back as its first occurrence, east and west of Greenwich", () => {
    // Berlin: 03:00 CEST goes back to 02:00 CET on 25 October 2026 (01:00 UTC); 02:30 happens twice.
    expect(at("2026-10-25T02:30", "Europe/Berlin")).toBe("2026-10-25T00:30:00.000Z");
    expect(at("2026-10-25T02:00", "Europe/Berlin")).toBe("2026-10-25T00:00:00.000Z");
    expect(at("2026-10-25T03:00", "Europe/Berlin")).toBe("2026-10-25T02:00:00.000Z");
    expect(at("2026-10-25T01:59", "Europe/Berlin")).toBe("2026-10-24T23:59:00.000Z");
    // Dublin keeps its summer time as the standard one: the same rule holds.
    expect(at("2026-10-25T01:30", "Europe/Dublin")).toBe("2026-10-25T00:30:00.000Z");
    // New York: 02:00 EDT goes back to 01:00 EST on 1 November 2026 (06:00 UTC).
    expect(at("2026-11-01T01:30", "America/New_York")).toBe("2026-11-01T05:30:00.000Z");
    expect(at("2026-11-01T02:00", "America/New_York")).toBe("2026-11-01T07:00:00.000Z");
  });

  it("handles zones off the whole hour and half-hour changes", () => {
    expect(at("2026-03-29T02:30", "Asia/Kolkata")).toBe("2026-03-28T21:00:00.000Z");
    expect(at("2026-06-01T00:00", "Asia/Kathmandu")).toBe("2026-05-31T18:15:00.000Z");
    // Lord Howe Island moves its clocks by half an hour: 02:00 +11 back to 01:30 +10:30.
    expect(at("2026-04-05T01:45", "Australia/Lord_Howe")).toBe("2026-04-04T14:45:00.000Z");
    // and forward from 02:00 +10:30 to 02:30 +11.
    expect(at("2026-10-04T02:15", "Australia/Lord_Howe")).toBe("2026-10-03T15:45:00.000Z");
  });

  it("refuses dates and times that do not exist on any calendar", () => {
    expect(isValidLocalDateTime({ year: 2026, month: 2, day: 29, hour: 10, minute: 0 })).toBe(false);
    expect(isValidLocalDateTime({ year: 2028, month: 2, day: 29, hour: 10, minute: 0 })).toBe(true);
    expect(isValidLocalDateTime({ year: 2026, month: 4, day: 31, hour: 10, minute: 0 })).toBe(false);
    expect(isValidLocalDateTime({ year: 2026, month: 13, day: 1, hour: 10, minute: 0 })).toBe(false);
    expect(isValidLocalDateTime({ year: 2026, month: 5, day: 1, hour: 24, minute: 0 })).toBe(false);
    expect(isValidLocalDateTime({ year: 2026, month: 5, day: 1, hour: 10, minute: 60 })).toBe(false);
    // The spring-forward gap is a real calendar time; it is resolved, not refused.
    expect(isValidLocalDateTime({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 })).toBe(true);
  });

  it("round-trips through the wall time of every quarter hour across a year of changes", () => {
    for (const zone of ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]) {
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 15 * 60_000 * 97) {
        const instant = new Date(t);
        const w = wallTime(instant, zone);
        const back = zonedTimeToUtc(w, zone).getTime();
        // An instant in the second pass of a repeated hour reads back as the first pass.
        expect([t, t - 3_600_000, t - 1_800_000]).toContain(back - w.second * 1000);
      }
    }
  });
});

describe("quiet hours across a change of clocks", () => {
  const quiet = (timeZone: string, start: number, end: number) => ({ enabled: true, start, end, timeZone });

  it("ends a night that spans fall-back in Berlin at its first 02:30", () => {
    // 01:00 local (CEST, 23:00 UTC) is inside a 00:00-02:30 window; it ends at the first 02:30.
    const until = quietUntil(new Date("2026-10-24T23:00:00Z"), quiet("Europe/Berlin", 0, 150));
    expect(until?.toISOString()).toBe("2026-10-25T00:30:00.000Z");
  });

  it("ends a window whose end is skipped by spring-forward just after the gap", () => {
    const until = quietUntil(new Date("2026-03-08T06:00:00Z"), quiet("America/New_York", 0, 150));
    expect(until?.toISOString()).toBe("2026-03-08T07:30:00.000Z");
  });

  it("keeps the half-hour offset of Kolkata", () => {
    const until = quietUntil(new Date("2026-06-01T16:00:00Z"), quiet("Asia/Kolkata", 21 * 60, 9 * 60));
    expect(until?.toISOString()).toBe("2026-06-02T03:30:00.000Z");
  });
});
