import { applyTemplateQuality } from "./template-events.server";
import { applyToShopsOfAccount } from "./webhook-receipts.server";
import { firstIssue, type FieldHandler } from "./webhook-fields";
import { templateQualitySchema } from "./webhook-payload";

/**
 * `message_template_quality_update`: Meta rated a template GREEN, YELLOW or RED (UNKNOWN while
 * it has too few reads). Stored on the shop's template for the admin; a RED template is what
 * Meta pauses next, which arrives as its own status update.
 */
export const templateQualityField: FieldHandler = {
  field: "message_template_quality_update",
  plan(raw, { accountId, time }) {
    const value = templateQualitySchema.safeParse(raw);
    if (!value.success) return { ok: false, problem: firstIssue(value.error) };
    const change = value.data;
    const key = `wa:quality:${change.message_template_id}:${change.previous_quality_score ?? ""}:${change.new_quality_score}:${time ?? ""}`;
    const at = time ? new Date(time * 1000) : new Date();
    return {
      ok: true,
      apply: () =>
        applyToShopsOfAccount(accountId, key, "whatsapp/message_template_quality_update", (tx, shop) =>
          applyTemplateQuality(tx, shop, {
            name: change.message_template_name,
            language: change.message_template_language,
            quality: change.new_quality_score,
            at,
          }),
        ),
    };
  },
};
