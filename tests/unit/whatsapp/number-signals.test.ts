import { describe, expect, it } from "vitest";
import { messagingLimitOf, numberSignalsAnswer, sameDisplayNumber } from "../../../app/whatsapp/number-signals";

describe("Meta's messaging limit as written in the Graph API and webhooks", () => {
  it.each([
    ["TIER_250", 250],
    ["TIER_2K", 2000],
    ["TIER_10K", 10000],
    ["TIER_100K", 100000],
    ["TIER_UNLIMITED", 0],
    [2000, 2000],
    ["10000", 10000],
    [-1, 0],
    ["TIER_NOT_SET", null],
    ["TIER_3K", null],
    [0, null],
    [1.5, null],
    [undefined, null],
  ])("%s is %s", (value, limit) => {
    expect(messagingLimitOf(value)).toBe(limit);
  });

  it("reads the number's limit and quality and the account's MM API onboarding", () => {
    expect(numberSignalsAnswer({ id: "1", whatsapp_business_manager_messaging_limit: "TIER_2K", quality_rating: "YELLOW" }, { id: "2", marketing_messages_onboarding_status: "ONBOARDED" })).toEqual({
      messagingLimit: 2000,
      qualityRating: "YELLOW",
      marketingMessagesOnboarded: true,
    });
    expect(numberSignalsAnswer({ id: "1" }, {})).toEqual({ messagingLimit: null, qualityRating: null, marketingMessagesOnboarded: null });
    expect(numberSignalsAnswer({ error: { code: 100 } }, {})).toBeNull();
  });

  it("matches display numbers however Meta formats them", () => {
    expect(sameDisplayNumber("+1 555-078-3881", "15550783881")).toBe(true);
    expect(sameDisplayNumber("+1 555-078-3882", "15550783881")).toBe(false);
    expect(sameDisplayNumber(null, "15550783881")).toBe(false);
  });
});
