import { describe, expect, it } from "vitest";
import { shopLocalTime } from "../../../app/admin/campaigns.server";

/**
 * The campaign form's date and time (an <input type="datetime-local">, no zone) read on the
 * shop's clock. A date that does not exist is refused rather than rolled into the next month.
 */
describe("shopLocalTime", () => {
  it("reads the merchant's wall-clock time in the shop's zone", () => {
    expect(shopLocalTime("2026-07-04T10:00", "Europe/Madrid")?.toISOString()).toBe("2026-07-04T08:00:00.000Z");
    expect(shopLocalTime("2026-01-15T18:30", "America/New_York")?.toISOString()).toBe("2026-01-15T23:30:00.000Z");
  });

  it("refuses days the month does not have", () => {
    expect(shopLocalTime("2026-02-30T10:00", "Europe/Madrid")).toBeNull();
    expect(shopLocalTime("2026-04-31T10:00", "UTC")).toBeNull();
    expect(shopLocalTime("2027-02-29T10:00", "UTC")).toBeNull();
    expect(shopLocalTime("2028-02-29T10:00", "UTC")?.toISOString()).toBe("2028-02-29T10:00:00.000Z");
  });

  it("refuses what is not a date and time", () => {
    expect(shopLocalTime("2026-13-01T10:00", "UTC")).toBeNull();
    expect(shopLocalTime("2026-05-01T24:00", "UTC")).toBeNull();
    expect(shopLocalTime("tomorrow", "UTC")).toBeNull();
  });
});
