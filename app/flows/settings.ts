import { z } from "zod";
import { abandonedCartSettings } from "./settings/abandoned-cart";
import { appointmentSettings } from "./settings/appointment";
import { backInStockSettings } from "./settings/back-in-stock";
import type { AdminShape } from "./settings/fields";
import { promotionSettings } from "./settings/promotion";
import { reorderSettings } from "./settings/reorder";
import { upsellSettings } from "./settings/upsell";

/**
 * What a merchant can tune per flow, stored in FlowSetting.config. Each flow's module in
 * settings/ holds its zod schema (every field has a default, so an empty config is a working
 * flow), its form fields and how its form is read; this registry derives the rest. Template
 * names refer to templates the merchant has approved in WhatsApp Manager; body parameters are
 * filled by the planners in the order documented on each schema.
 */
export const FLOW_SETTINGS = {
  abandoned_cart: abandonedCartSettings,
  back_in_stock: backInStockSettings,
  reorder: reorderSettings,
  upsell: upsellSettings,
  promotion: promotionSettings,
  appointment: appointmentSettings,
} as const;

export type ConfigurableFlow = keyof typeof FLOW_SETTINGS;
type Schemas = { [F in ConfigurableFlow]: (typeof FLOW_SETTINGS)[F]["schema"] };
export const flowConfigSchemas = Object.fromEntries(
  Object.entries(FLOW_SETTINGS).map(([flow, settings]) => [flow, settings.schema]),
) as Schemas;

export type FlowConfig<F extends ConfigurableFlow> = z.infer<Schemas[F]>;
export type { AbandonedCartConfig } from "./settings/abandoned-cart";
export type { AppointmentConfig } from "./settings/appointment";
export type { BackInStockConfig } from "./settings/back-in-stock";
export type { ReorderConfig } from "./settings/reorder";
export type { UpsellConfig } from "./settings/upsell";
export { MAX_APPOINTMENT_REMINDERS } from "./settings/appointment";
export { MAX_CART_STEPS } from "./settings/abandoned-cart";

export const holdoutPercentSchema = z.number().int().min(0).max(50, "a control group of at most 50%");

export type ConfigResult<F extends ConfigurableFlow> =
  | { ok: true; config: FlowConfig<F> }
  | { ok: false; errors: Record<string, string> };

/**
 * The admin settings page once stored every flow as { steps: [{ delayHours, templateName,
 * templateLanguage }], discount: { kind, value } }. This recognises that shape and lets the
 * flow's module read it into its own fields; anything else passes through untouched.
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
  const shape: AdminShape = {
    rest,
    steps: list,
    template: first ? { templateName: first.templateName, language: first.templateLanguage ?? "en" } : {},
    hours: typeof first?.delayHours === "number" ? first.delayHours : undefined,
    discount,
  };
  return FLOW_SETTINGS[flow].fromAdminShape(shape);
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
