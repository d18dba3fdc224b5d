import { describe, expect, it } from "vitest";
import { describeGateReason } from "../../../app/i18n/gate-reasons";
import { readableError } from "../../../app/i18n/whatsapp-errors";

describe("readable reasons on the message timeline", () => {
  it("explains the gate's reason codes, including the ones that carry a value", () => {
    expect(describeGateReason("quiet_hours")).toBe("Quiet hours: waiting for the morning");
    expect(describeGateReason("country_blocked:+1")).toBe("Country code +1 is blocked");
    expect(describeGateReason("marketing_not_allowed_to:+1")).toBe("WhatsApp does not deliver marketing to +1");
    expect(describeGateReason("flow_state:cart_converted")).toBe("The cart was bought");
    expect(describeGateReason("template_category_utility")).toBe("The template is now UTILITY, not the flow's category");
    expect(describeGateReason("quiet_hours_until_expiry")).toBe("Quiet hours: waiting for the morning until it expired");
    expect(describeGateReason("something_new")).toBe("something new");
  });

  it("turns Meta error codes into what a merchant can do, and falls back to Meta's own words", () => {
    expect(readableError(131050, "x", null)).toBe("The shopper stopped marketing messages from your business.");
    expect(readableError(190, null, null)).toMatch(/Reconnect WhatsApp/);
    expect(readableError(999999, "Odd failure", "details here")).toBe("Odd failure: details here");
    expect(readableError(null, null, null)).toBe("WhatsApp did not say why.");
  });
});
