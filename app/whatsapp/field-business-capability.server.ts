import { systemClock } from "../shared/clock";
import { applyMessagingLimit } from "./account-signals.server";
import { messagingLimitOf } from "./number-signals";
import { applyToShopsOfAccount } from "./webhook-receipts.server";
import { firstIssue, type FieldHandler } from "./webhook-fields";
import { businessCapabilitySchema } from "./webhook-payload";

/**
 * `business_capability_update`: the business portfolio's messaging limit changed (a scaling
 * path completed, automatic scaling). Every shop connected through the account gets it.
 */
export const businessCapabilityField: FieldHandler = {
  field: "business_capability_update",
  plan(raw, { accountId, time }) {
    const value = businessCapabilitySchema.safeParse(raw);
    if (!value.success) return { ok: false, problem: firstIssue(value.error) };
    const given = value.data.max_daily_conversations_per_business;
    const limit = messagingLimitOf(given);
    if (given !== undefined && limit === null) return { ok: false, problem: "max_daily_conversations_per_business not a limit" };
    // A change about phone number counts only: nothing Rebound keeps.
    if (limit === null) return { ok: true, apply: async () => {} };
    const key = `wa:capability:${accountId}:${String(given)}:${time ?? ""}`;
    return {
      ok: true,
      apply: () =>
        applyToShopsOfAccount(accountId, key, "whatsapp/business_capability_update", (tx, shop) =>
          applyMessagingLimit(tx, shop, limit, systemClock.now()),
        ),
    };
  },
};
