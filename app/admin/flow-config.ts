import { z } from "zod";

/**
 * The shape of FlowSetting.config as the settings page writes it: up to three steps, each a
 * delay after the trigger (or after the previous step) and a template, plus an optional
 * discount. Shared by the server (validation) and the page (defaults, field names).
 */
export const MAX_STEPS = 3;
export const DISCOUNT_KINDS = ["none", "percentage", "fixed_amount"] as const;

export const DEFAULT_DELAY_HOURS: Record<string, number[]> = {
  abandoned_cart: [1, 24, 72],
  back_in_stock: [0, 48, 120],
  reorder: [0, 72, 168],
  upsell: [72, 168, 336],
  promotion: [0, 48, 96],
  appointment: [24, 2, 1],
};

export const stepShape = z.object({
  delayHours: z.number().min(0).max(24 * 180),
  templateName: z.string().min(1),
  templateLanguage: z.string().min(1),
});

export const storedConfig = z.object({
  steps: z.array(stepShape).max(MAX_STEPS).default([]),
  discount: z
    .object({ kind: z.enum(DISCOUNT_KINDS), value: z.number().min(0) })
    .default({ kind: "none", value: 0 }),
});
export type StoredConfig = z.infer<typeof storedConfig>;

/** Rows written by older versions or by hand may not parse; they read as "not configured". */
export function readStoredConfig(raw: unknown): StoredConfig {
  const parsed = storedConfig.safeParse(raw ?? {});
  return parsed.success ? parsed.data : { steps: [], discount: { kind: "none", value: 0 } };
}
