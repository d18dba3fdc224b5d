import { z } from "zod";
import { discountSchema, language, listLength, splitTemplate, templateName, type AdminShape, type FormReader } from "./fields";

/** Abandoned-cart reminders: up to three steps, each its own template, delay and discount. */
export const MAX_CART_STEPS = 3;

export const cartStepSchema = z.object({
  delayHours: z.number().min(0.25, "at least 15 minutes").max(24 * 14, "at most 14 days"),
  templateName,
  language,
  discount: discountSchema.nullable().default(null),
});

export const abandonedCartSchema = z.object({
  /** Body parameters: {{1}} first item title, {{2}} cart total, {{3}} discount code (when set) */
  steps: z
    .array(cartStepSchema)
    .min(1, "at least one step")
    .max(MAX_CART_STEPS, "at most three steps")
    .refine((steps) => steps.every((s, i) => i === 0 || s.delayHours > steps[i - 1].delayHours), {
      message: "each step must come later than the one before",
    })
    .default([
      { delayHours: 1, templateName: "cart_reminder_1", language: "en", discount: null },
      { delayHours: 24, templateName: "cart_reminder_2", language: "en", discount: null },
      { delayHours: 72, templateName: "cart_reminder_3", language: "en", discount: { kind: "percentage", value: 10, validHours: 48 } },
    ]),
});
export type AbandonedCartConfig = z.infer<typeof abandonedCartSchema>;

/** The page sends `stepCount` and, per step, `config.steps.N.*`; a discount kind of "none" is no discount. */
function readForm(read: FormReader) {
  const steps = Array.from({ length: listLength(read, "stepCount", MAX_CART_STEPS) }, (_, i) => {
    const base = `config.steps.${i}`;
    const kind = read.text(`${base}.discount.kind`);
    const discount =
      kind === "percentage" || kind === "fixed_amount"
        ? { kind, value: read.number(`${base}.discount.value`, false), validHours: read.number(`${base}.discount.validHours`, false) }
        : null;
    return { delayHours: read.number(`${base}.delayHours`, false), ...splitTemplate(read.text(`${base}.templateName`)), discount };
  });
  return { steps };
}

/** A flow-level discount rides on the last step, the final nudge. */
function fromAdminShape({ rest, steps, discount }: AdminShape) {
  if (!steps.length) return rest;
  return {
    ...rest,
    steps: steps.map((st, i) => ({
      delayHours: st.delayHours,
      templateName: st.templateName,
      language: st.templateLanguage ?? "en",
      discount: i === steps.length - 1 ? discount : null,
    })),
  };
}

export const abandonedCartSettings = { schema: abandonedCartSchema, singleTemplate: false, fields: [], readForm, fromAdminShape } as const;
