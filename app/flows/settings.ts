import { z } from "zod";

/**
 * What a merchant can tune per flow, stored in FlowSetting.config and validated here. Every
 * field has a default, so an empty config is a working flow a merchant can start from. Template
 * names refer to templates the merchant has approved in WhatsApp Manager; body parameters are
 * filled by the planners in the order documented on each flow.
 */
const templateName = z
  .string()
  .trim()
  .regex(/^[a-z0-9_]{1,512}$/, "template names are lower case letters, digits and underscores");
const language = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "language is a WhatsApp locale code such as en or pt_BR")
  .default("en");

export const discountSchema = z
  .object({
    kind: z.enum(["percentage", "fixed_amount"]).default("percentage"),
    /** Percent off (1-90) or an amount off in the shop's currency */
    value: z.number().positive("more than 0"),
    /** How long the unique code stays valid after it is created */
    validHours: z.number().int().min(1).max(24 * 30).default(48),
  })
  .refine((d) => d.kind !== "percentage" || (Number.isInteger(d.value) && d.value <= 90), {
    message: "a whole percentage up to 90",
    path: ["value"],
  });
export type DiscountConfig = z.infer<typeof discountSchema>;

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
    .max(3, "at most three steps")
    .refine((steps) => steps.every((s, i) => i === 0 || s.delayHours > steps[i - 1].delayHours), {
      message: "each step must come later than the one before",
    })
    .default([
      { delayHours: 1, templateName: "cart_reminder_1", language: "en", discount: null },
      { delayHours: 24, templateName: "cart_reminder_2", language: "en", discount: null },
      { delayHours: 72, templateName: "cart_reminder_3", language: "en", discount: { kind: "percentage", value: 10, validHours: 48 } },
    ]),
});

export const backInStockSchema = z.object({
  /** Body parameters: {{1}} product title, {{2}} variant title */
  templateName: templateName.default("back_in_stock"),
  language,
  /** Messages per unit that came back; null = everyone waiting */
  messagesPerUnit: z.number().int().min(1).max(100).nullable().default(null),
  /** Send this many minutes after the restock */
  delayMinutes: z.number().int().min(0).max(24 * 60).default(0),
  validHours: z.number().int().min(1).max(24 * 14).default(48),
});

export const reorderSchema = z.object({
  /** Body parameters: {{1}} product title, {{2}} days since the order */
  templateName: templateName.default("time_to_reorder"),
  language,
  defaultDays: z.number().int().min(1).max(365).default(30),
  /** Repeat purchases needed before the learned interval is trusted */
  minSamples: z.number().int().min(2).max(1000).default(5),
  validDays: z.number().int().min(1).max(60).default(7),
});

export const upsellSchema = z.object({
  /** Body parameters: {{1}} recommended product title, {{2}} purchased product title */
  templateName: templateName.default("you_may_also_like"),
  language,
  delayDays: z.number().min(0).max(90).default(7),
  /** Co-purchases needed before a pairing is trusted over the merchant's pick */
  minCoPurchases: z.number().int().min(1).max(1000).default(3),
  /** A single product to suggest when pairings are too thin; tried before the collection */
  fallbackProductId: z.string().trim().min(1).nullable().default(null),
  /** Numeric id of the collection whose first suitable product is suggested otherwise */
  fallbackCollectionId: z.preprocess(
    (v) => (typeof v === "string" ? v.trim().replace(/^gid:\/\/shopify\/Collection\//, "") || null : v),
    z.string().regex(/^\d+$/, "choose one of your collections").nullable().default(null),
  ),
  validDays: z.number().int().min(1).max(60).default(7),
});

export const MAX_APPOINTMENT_REMINDERS = 3;

const reminderSchema = z.object({
  hoursBefore: z.number().min(1, "at least 1 hour").max(24 * 7, "at most 7 days"),
});

/**
 * Configs written before several reminders existed carry one `hoursBefore`; they read as a list
 * of that one reminder, so a stored shop keeps exactly the reminder it had.
 */
function remindersFromLegacy(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const { hoursBefore, ...rest } = raw as Record<string, unknown>;
  if (hoursBefore === undefined || "reminders" in rest) return rest;
  return { ...rest, reminders: [{ hoursBefore }] };
}

const appointmentFields = z.object({
  /** UTILITY template. Body parameters: {{1}} item title, {{2}} local date, {{3}} local time */
  templateName: templateName.default("appointment_reminder"),
  language,
  /** Stored longest lead first; each reminder has its own dedup key (app/flows/appointment.ts) */
  reminders: z
    .array(reminderSchema)
    .min(1, "at least one reminder")
    .max(MAX_APPOINTMENT_REMINDERS, `at most ${MAX_APPOINTMENT_REMINDERS} reminders`)
    .refine((list) => new Set(list.map((r) => r.hoursBefore)).size === list.length, {
      message: "each reminder needs a different time",
    })
    .transform((list) => [...list].sort((a, b) => b.hoursBefore - a.hoursBefore))
    .default([{ hoursBefore: 24 }, { hoursBefore: 2 }]),
  /** Line item property holding the date, or date and time ("2026-03-29 10:30") */
  bookingDateProperty: z.string().trim().min(1).max(100).default("Booking date"),
  /** Line item property holding the time when it is separate from the date */
  bookingTimeProperty: z.string().trim().min(1).max(100).nullable().default("Booking time"),
});

export const appointmentSchema = z.preprocess(remindersFromLegacy, appointmentFields);

export const promotionSchema = z.object({});

export const flowConfigSchemas = {
  abandoned_cart: abandonedCartSchema,
  back_in_stock: backInStockSchema,
  reorder: reorderSchema,
  upsell: upsellSchema,
  promotion: promotionSchema,
  appointment: appointmentSchema,
} as const;

export type ConfigurableFlow = keyof typeof flowConfigSchemas;
export type FlowConfig<F extends ConfigurableFlow> = z.infer<(typeof flowConfigSchemas)[F]>;
export type AbandonedCartConfig = FlowConfig<"abandoned_cart">;
export type BackInStockConfig = FlowConfig<"back_in_stock">;
export type ReorderConfig = FlowConfig<"reorder">;
export type UpsellConfig = FlowConfig<"upsell">;
export type AppointmentConfig = FlowConfig<"appointment">;

export const holdoutPercentSchema = z.number().int().min(0).max(50, "a control group of at most 50%");

export function isConfigurableFlow(flow: string): flow is ConfigurableFlow {
  return flow in flowConfigSchemas;
}

export type ConfigResult<F extends ConfigurableFlow> =
  | { ok: true; config: FlowConfig<F> }
  | { ok: false; errors: Record<string, string> };

/**
 * The admin settings page stores every flow as { steps: [{ delayHours, templateName,
 * templateLanguage }], discount: { kind, value } } (app/admin/flow-config.ts). This reads that
 * shape into each flow's own fields: a single-message flow takes its first step, the step's
 * delay means the flow's delay (hours before, for appointments), and a flow-level discount rides
 * on the last abandoned-cart step, the final nudge.
 */
export function fromAdminShape(flow: ConfigurableFlow, raw: unknown): unknown {
  if (!raw || typeof raw !== "object") return raw;
  const input = raw as Record<string, unknown>;
  const steps = Array.isArray(input.steps) ? (input.steps as Array<Record<string, unknown>>) : null;
  const adminShape = steps?.some((st) => st && typeof st === "object" && "templateLanguage" in st) ||
    (!!input.discount && typeof input.discount === "object" && "kind" in (input.discount as object) && !steps?.some((st) => "language" in st));
  if (!adminShape) return raw;
  const { steps: _steps, discount: rawDiscount, ...rest } = input;
  const d = rawDiscount as { kind?: string; value?: number } | undefined;
  const discount = d && d.kind && d.kind !== "none" && (d.value ?? 0) > 0 ? { kind: d.kind, value: d.value } : null;
  const list = (steps ?? []).filter((st) => st && typeof st.templateName === "string" && st.templateName !== "");
  const first = list[0];
  const template = first ? { templateName: first.templateName, language: first.templateLanguage ?? "en" } : {};
  const hours = typeof first?.delayHours === "number" ? first.delayHours : undefined;
  switch (flow) {
    case "abandoned_cart":
      return {
        ...rest,
        ...(list.length
          ? {
              steps: list.map((st, i) => ({
                delayHours: st.delayHours,
                templateName: st.templateName,
                language: st.templateLanguage ?? "en",
                discount: i === list.length - 1 ? discount : null,
              })),
            }
          : {}),
      };
    case "back_in_stock":
      return { ...rest, ...template, ...(hours !== undefined ? { delayMinutes: Math.round(hours * 60) } : {}) };
    case "upsell":
      return { ...rest, ...template, ...(hours !== undefined ? { delayDays: hours / 24 } : {}) };
    case "appointment":
      return { ...rest, ...template, ...(hours !== undefined && hours >= 1 ? { hoursBefore: hours } : {}) };
    default:
      return { ...rest, ...template };
  }
}

/** Validates a merchant's input; errors are keyed by field path for Polaris fields. */
export function validateFlowConfig<F extends ConfigurableFlow>(flow: F, input: unknown): ConfigResult<F> {
  const parsed = flowConfigSchemas[flow].safeParse(fromAdminShape(flow, input ?? {}));
  if (parsed.success) return { ok: true, config: parsed.data as FlowConfig<F> };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) errors[issue.path.join(".") || "config"] ??= issue.message;
  return { ok: false, errors };
}

/**
 * Reads a stored config. A row written by an older version that no longer validates falls back
 * to the defaults rather than stopping the flow; the settings page shows the stored errors.
 */
export function readFlowConfig<F extends ConfigurableFlow>(flow: F, stored: unknown): FlowConfig<F> {
  const result = validateFlowConfig(flow, stored);
  return result.ok ? result.config : defaultFlowConfig(flow);
}

export function defaultFlowConfig<F extends ConfigurableFlow>(flow: F): FlowConfig<F> {
  return flowConfigSchemas[flow].parse({}) as FlowConfig<F>;
}
