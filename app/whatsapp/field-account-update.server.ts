import { systemClock } from "../shared/clock";
import { applyAccountChange } from "./account-signals.server";
import { applyToShopsOfAccount } from "./webhook-receipts.server";
import { firstIssue, type FieldHandler } from "./webhook-fields";
import { accountUpdateSchema } from "./webhook-payload";

/**
 * `account_update`: restrictions, violations, bans, Rebound added or removed as a partner, the
 * Marketing Messages API terms signed. Some events name the business in the entry's id and the
 * account in waba_info; the account wins where it is given.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/account_update
 */
export const accountUpdateField: FieldHandler = {
  field: "account_update",
  plan(raw, { accountId, time }) {
    const value = accountUpdateSchema.safeParse(raw);
    if (!value.success) return { ok: false, problem: firstIssue(value.error) };
    const change = value.data;
    const restrictions = (change.restriction_info ?? []).map((r) => ({ type: r.restriction_type, expiration: parseMetaTime(r.expiration) }));
    if (restrictions.some((r, i) => r.expiration === null && change.restriction_info?.[i]?.expiration)) {
      return { ok: false, problem: "restriction_info.expiration not a time" };
    }
    const account = change.waba_info?.waba_id ?? accountId;
    const key = `wa:account:${account}:${change.event}:${JSON.stringify(change.restriction_info ?? change.ban_info ?? change.violation_info ?? null)}:${time ?? ""}`;
    return {
      ok: true,
      apply: () =>
        applyToShopsOfAccount(account, key, "whatsapp/account_update", (tx, shop) =>
          applyAccountChange(
            tx,
            shop,
            {
              event: change.event,
              restrictions,
              violationType: change.violation_info?.violation_type ?? null,
              banState: change.ban_info?.waba_ban_state ?? null,
              banDate: change.ban_info?.waba_ban_date ?? null,
            },
            systemClock.now(),
          ),
        ),
    };
  },
};

/** Meta writes times like "2026-04-19T13:59:20+0000"; null when missing or unreadable. */
function parseMetaTime(value: string | undefined): Date | null {
  if (!value) return null;
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const at = new Date(normalised);
  return Number.isNaN(at.getTime()) ? null : at;
}
