import type { Prisma } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";
import { FLOW_CATEGORY, type MerchantFlow } from "./flow-catalog";
import { DISCOUNT_KINDS, MAX_STEPS, readStoredConfig } from "./flow-config";
import { fieldErrors, type FieldErrors } from "./form-errors";

/**
 * One flow's settings page: its stored config, the templates it may use (APPROVED and of the
 * flow's category only), and the merchant's edits validated before anything is written.
 */
export async function loadFlowSettings(shop: string, flow: MerchantFlow) {
  const [setting, templates] = await Promise.all([
    prisma.flowSetting.findUnique({ where: { shop_flow: { shop, flow } } }),
    approvedTemplates(shop, flow),
  ]);
  return {
    flow,
    enabled: setting?.enabled ?? false,
    pausedReason: setting?.pausedReason ?? null,
    holdoutPercent: setting?.holdoutPercent ?? 0,
    config: readStoredConfig(setting?.config),
    templates,
  };
}

export function approvedTemplates(shop: string, flow: MerchantFlow) {
  return prisma.messageTemplate.findMany({
    where: { shop, category: FLOW_CATEGORY[flow], status: "APPROVED" },
    orderBy: [{ name: "asc" }, { language: "asc" }],
    select: { name: true, language: true, components: true },
  });
}

const number = (message: string) => z.coerce.number({ error: message }).refine(Number.isFinite, message);

const stepForm = z.object({
  delayHours: number("Enter hours").pipe(z.number().min(0, "0 or more").max(24 * 180, "At most 180 days")),
  template: z.string().min(1, "Choose a template"),
});

const flowForm = z
  .object({
    enabled: z.enum(["true", "false"]).transform((v) => v === "true"),
    holdoutPercent: number("Enter a percentage").pipe(z.number().int("Use a whole number").min(0, "0 or more").max(50, "At most 50%")),
    stepCount: z.coerce.number().int().min(1).max(MAX_STEPS),
    steps: z.array(stepForm).min(1).max(MAX_STEPS),
    discountKind: z.enum(DISCOUNT_KINDS, { error: "Choose a discount type" }),
    discountValue: number("Enter an amount").pipe(z.number().min(0, "0 or more")),
  })
  .superRefine((form, ctx) => {
    if (form.discountKind === "percentage" && (form.discountValue <= 0 || form.discountValue > 90)) {
      ctx.addIssue({ code: "custom", path: ["discountValue"], message: "Between 1 and 90%" });
    }
    if (form.discountKind === "fixed_amount" && form.discountValue <= 0) {
      ctx.addIssue({ code: "custom", path: ["discountValue"], message: "More than 0" });
    }
  });

/** Flattened form fields (steps.0.delayHours, ...) back into the object zod checks. */
export function readFlowForm(form: FormData) {
  const stepCount = Number(form.get("stepCount") ?? 1);
  const count = Number.isInteger(stepCount) && stepCount >= 1 && stepCount <= MAX_STEPS ? stepCount : 1;
  return {
    enabled: String(form.get("enabled") ?? "false"),
    holdoutPercent: String(form.get("holdoutPercent") ?? ""),
    stepCount: String(count),
    steps: Array.from({ length: count }, (_, i) => ({
      delayHours: String(form.get(`steps.${i}.delayHours`) ?? ""),
      template: String(form.get(`steps.${i}.template`) ?? ""),
    })),
    discountKind: String(form.get("discountKind") ?? "none"),
    discountValue: String(form.get("discountValue") || "0"),
  };
}

export type SaveFlowResult = { ok: true } | { ok: false; errors: FieldErrors };

export async function saveFlowSettings(shop: string, flow: MerchantFlow, input: ReturnType<typeof readFlowForm>): Promise<SaveFlowResult> {
  const parsed = flowForm.safeParse(input);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const form = parsed.data;

  // A template must be APPROVED and of the flow's category at save time; the gate checks again
  // at send time because Meta can recategorise or pause it later.
  const allowed = await approvedTemplates(shop, flow);
  const errors: FieldErrors = {};
  const steps = form.steps.map((step, i) => {
    const [templateName, templateLanguage] = step.template.split("|");
    if (!allowed.some((t) => t.name === templateName && t.language === templateLanguage)) {
      errors[`steps.${i}.template`] = `Choose an approved ${FLOW_CATEGORY[flow].toLowerCase()} template`;
    }
    return { delayHours: step.delayHours, templateName: templateName ?? "", templateLanguage: templateLanguage ?? "" };
  });
  if (Object.keys(errors).length) return { ok: false, errors };

  const config = {
    steps,
    discount: { kind: form.discountKind, value: form.discountKind === "none" ? 0 : form.discountValue },
  } satisfies Prisma.InputJsonValue;
  await prisma.flowSetting.upsert({
    where: { shop_flow: { shop, flow } },
    create: { shop, flow, enabled: form.enabled, holdoutPercent: form.holdoutPercent, config },
    update: { enabled: form.enabled, holdoutPercent: form.holdoutPercent, config },
  });
  return { ok: true };
}

/** Switching on needs a template to send; switching off always works. */
export async function toggleFlow(shop: string, flow: MerchantFlow, enabled: boolean): Promise<SaveFlowResult> {
  if (enabled) {
    const setting = await prisma.flowSetting.findUnique({ where: { shop_flow: { shop, flow } } });
    if (readStoredConfig(setting?.config).steps.length === 0) {
      return { ok: false, errors: { enabled: "Choose a template before turning this flow on" } };
    }
  }
  await prisma.flowSetting.upsert({
    where: { shop_flow: { shop, flow } },
    create: { shop, flow, enabled },
    update: { enabled },
  });
  return { ok: true };
}
