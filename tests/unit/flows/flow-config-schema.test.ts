import { describe, expect, it } from "vitest";
import { readFlowConfig, validateFlowConfig } from "../../../app/flows/settings";

describe("upsell settings", () => {
  it("keeps a stored single fallback product and adds no collection", () => {
    expect(readFlowConfig("upsell", { fallbackProductId: "123", minCoPurchases: 4 })).toMatchObject({
      fallbackProductId: "123", fallbackCollectionId: null, minCoPurchases: 4,
    });
  });

  it("stores a collection as its numeric id, accepts a global id, and refuses anything else", () => {
    expect(readFlowConfig("upsell", { fallbackCollectionId: "gid://shopify/Collection/4455" }).fallbackCollectionId).toBe("4455");
    expect(readFlowConfig("upsell", { fallbackCollectionId: " 4455 " }).fallbackCollectionId).toBe("4455");
    expect(readFlowConfig("upsell", { fallbackCollectionId: "" }).fallbackCollectionId).toBeNull();
    const bad = validateFlowConfig("upsell", { fallbackCollectionId: "gid://shopify/Product/1" });
    expect(bad).toEqual({ ok: false, errors: { fallbackCollectionId: "choose one of your collections" } });
  });
});

describe("appointment settings", () => {
  it("reads an old single hoursBefore as one reminder, and drops the old field", () => {
    const config = readFlowConfig("appointment", { hoursBefore: 6, bookingDateProperty: "Date" });
    expect(config.reminders).toEqual([{ hoursBefore: 6 }]);
    expect(config).not.toHaveProperty("hoursBefore");
    expect(config.bookingDateProperty).toBe("Date");
  });

  it("prefers the list when both shapes are present", () => {
    expect(readFlowConfig("appointment", { hoursBefore: 6, reminders: [{ hoursBefore: 12 }] }).reminders).toEqual([{ hoursBefore: 12 }]);
  });

  it("keeps up to three different reminders, longest lead first", () => {
    expect(readFlowConfig("appointment", { reminders: [{ hoursBefore: 2 }, { hoursBefore: 72 }, { hoursBefore: 24 }] }).reminders).toEqual([
      { hoursBefore: 72 }, { hoursBefore: 24 }, { hoursBefore: 2 },
    ]);
    const four = validateFlowConfig("appointment", { reminders: [1, 2, 3, 4].map((hoursBefore) => ({ hoursBefore })) });
    expect(four).toEqual({ ok: false, errors: { reminders: "at most 3 reminders" } });
    const twice = validateFlowConfig("appointment", { reminders: [{ hoursBefore: 2 }, { hoursBefore: 2 }] });
    expect(twice).toEqual({ ok: false, errors: { reminders: "each reminder needs a different time" } });
    const none = validateFlowConfig("appointment", { reminders: [] });
    expect(none).toEqual({ ok: false, errors: { reminders: "at least one reminder" } });
    const tooSoon = validateFlowConfig("appointment", { reminders: [{ hoursBefore: 24 }, { hoursBefore: 0.5 }] });
    expect(tooSoon).toEqual({ ok: false, errors: { "reminders.1.hoursBefore": "at least 1 hour" } });
    // A bad old value is reported too, rather than silently replaced by the defaults.
    expect(validateFlowConfig("appointment", { hoursBefore: 0 }).ok).toBe(false);
  });

  it("reads the generic admin shape's step delay as the single reminder", () => {
    const config = readFlowConfig("appointment", { steps: [{ delayHours: 12, templateName: "visit", templateLanguage: "es" }] });
    expect(config).toMatchObject({ templateName: "visit", language: "es", reminders: [{ hoursBefore: 12 }] });
  });
});
