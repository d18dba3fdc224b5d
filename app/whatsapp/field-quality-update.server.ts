import { systemClock } from "../shared/clock";
import { applyMessagingLimit, applyQualityEvent } from "./account-signals.server";
import { messagingLimitOf } from "./number-signals";
import { applyToShopsOfAccount } from "./webhook-receipts.server";
import { firstIssue, type FieldHandler } from "./webhook-fields";
import { qualityUpdateSchema } from "./webhook-payload";

/**
 * `phone_number_quality_update`: a number was flagged or unflagged for quality, or the
 * portfolio's limit moved (UPGRADE, DOWNGRADE). The limit is the portfolio's, so every shop of the
 * account takes it; the quality event belongs to the number it names (matched by display number).
 */
export const qualityUpdateField: FieldHandler = {
  field: "phone_number_quality_update",
  plan(raw, { accountId, time }) {
    const value = qualityUpdateSchema.safeParse(raw);
    if (!value.success) return { ok: false, problem: firstIssue(value.error) };
    const change = value.data;
    // current_limit is deprecated (removed in 2026) and only read when the new field is absent.
    const limit = messagingLimitOf(change.max_daily_conversations_per_business ?? change.current_limit);
    const key = `wa:quality:${accountId}:${change.display_phone_number}:${change.event}:${time ?? ""}`;
    return {
      ok: true,
      apply: () =>
        applyToShopsOfAccount(accountId, key, "whatsapp/phone_number_quality_update", async (tx, shop) => {
          const at = systemClock.now();
          if (limit !== null) await applyMessagingLimit(tx, shop, limit, at);
          await applyQualityEvent(tx, shop, { displayPhoneNumber: change.display_phone_number, event: change.event }, at);
        }),
    };
  },
};
