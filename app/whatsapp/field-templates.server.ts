import { applyTemplateCategory, applyTemplateStatus } from "./template-events.server";
import { applyToShopsOfAccount } from "./webhook-receipts.server";
import { firstIssue, type FieldHandler } from "./webhook-fields";
import { templateCategorySchema, templateStatusSchema } from "./webhook-payload";

/** `message_template_status_update`: review results and Meta pausing or disabling a template. */
export const templateStatusField: FieldHandler = {
  field: "message_template_status_update",
  plan(raw, { accountId, time }) {
    const value = templateStatusSchema.safeParse(raw);
    if (!value.success) return { ok: false, problem: firstIssue(value.error) };
    const change = value.data;
    const key = `wa:template:${change.message_template_id}:${change.event}:${time ?? ""}`;
    return {
      ok: true,
      apply: () =>
        applyToShopsOfAccount(accountId, key, "whatsapp/message_template_status_update", (tx, shop) =>
          applyTemplateStatus(tx, shop, {
            name: change.message_template_name,
            language: change.message_template_language,
            event: change.event,
            reason: change.other_info?.description ? `${change.reason ?? "NONE"}: ${change.other_info.description}` : change.reason,
          }),
        ),
    };
  },
};

/** `template_category_update`: Meta recategorised a template (or will). */
export const templateCategoryField: FieldHandler = {
  field: "template_category_update",
  plan(raw, { accountId, time }) {
    const value = templateCategorySchema.safeParse(raw);
    if (!value.success) return { ok: false, problem: firstIssue(value.error) };
    const change = value.data;
    const key = `wa:category:${change.message_template_id}:${change.previous_category ?? "impending"}:${change.new_category}:${time ?? ""}`;
    return {
      ok: true,
      apply: () =>
        applyToShopsOfAccount(accountId, key, "whatsapp/template_category_update", (tx, shop) =>
          applyTemplateCategory(tx, shop, {
            name: change.message_template_name,
            language: change.message_template_language,
            newCategory: change.new_category,
            previousCategory: change.previous_category,
          }),
        ),
    };
  },
};
