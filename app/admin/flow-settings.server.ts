import prisma from "../db.server";
import { listCollections, type AdminGraphql, type CollectionOption } from "../catalog/collections.server";
import { loadFlowSetting, saveFlowSetting } from "../flows/flow-settings.server";
import { flowSendShape } from "../flows/send-shape";
import { FLOW_SETTINGS } from "../flows/settings";
import { templateFits, type SendShape } from "../outbox/template-fit";
import type { FormReader } from "../flows/settings/fields";
import { FLOW_CATEGORY, type MerchantFlow } from "./flow-catalog";
import type { FieldErrors } from "./form-errors";
import { errorFields, log } from "../shared/log.server";

/**
 * One flow's settings page on top of the flows module's own schema, form and storage
 * (app/flows/settings/<flow>.ts, app/flows/flow-settings.server.ts). This module adds what only
 * the admin knows: the request's form data, and refusing templates that are not APPROVED in the flow's
 * category (a MARKETING flow must not send a UTILITY template, and the reverse) or that do not fit
 * what the flow sends (app/flows/send-shape.ts): checked when chosen, not when a send fails.
 */
export async function loadFlowSettings(shop: string, flow: MerchantFlow) {
  const [setting, templates] = await Promise.all([loadFlowSetting(shop, flow), approvedTemplates(shop, flow)]);
  return { flow, ...setting, config: setting.config as Record<string, unknown>, templates };
}

export interface CollectionChoices {
  options: Array<CollectionOption & { known: boolean }>;
  /** The Admin API did not answer; the stored choice is still shown so a save keeps it */
  failed: boolean;
}

/** The cross-sell page's collection picker: the shop's collections, and the stored one always. */
export async function loadCollectionChoices(admin: AdminGraphql, stored: string | null): Promise<CollectionChoices> {
  let listed: CollectionOption[] = [];
  let failed = false;
  try {
    listed = await listCollections(admin);
  } catch (error) {
    log.warn("collections for the cross-sell picker unavailable", { error: errorFields(error) });
    failed = true;
  }
  const options = listed.map((c) => ({ ...c, known: true }));
  if (stored && !listed.some((c) => c.id === stored)) options.push({ id: stored, title: "", known: false });
  return { options, failed };
}

export function approvedTemplates(shop: string, flow: MerchantFlow) {
  return prisma.messageTemplate.findMany({
    where: { shop, category: FLOW_CATEGORY[flow], status: "APPROVED" },
    orderBy: [{ name: "asc" }, { language: "asc" }],
    select: { name: true, language: true, components: true },
  });
}

/** Form fields back into the config object the flow schema validates (the flow's readForm). */
export function readFlowForm(flow: MerchantFlow, form: FormData) {
  const errors: FieldErrors = {};
  const text = (name: string) => String(form.get(name) ?? "").trim();
  const read: FormReader = {
    text,
    number(name, optional) {
      const raw = text(name);
      if (raw === "") {
        if (!optional) errors[name] = "Enter a number";
        return optional ? null : undefined;
      }
      const value = Number(raw);
      if (!Number.isFinite(value)) errors[name] = "Enter a number";
      return value;
    },
  };
  const config: Record<string, unknown> = FLOW_SETTINGS[flow].readForm(read);
  const holdout = text("holdoutPercent");
  const holdoutPercent = holdout === "" ? 0 : Number(holdout);
  if (!Number.isFinite(holdoutPercent)) errors.holdoutPercent = "Enter a number";
  return { enabled: text("enabled") === "true", holdoutPercent, config, errors };
}

export type SaveFlowResult = { ok: true } | { ok: false; errors: FieldErrors };

export async function saveFlowSettings(shop: string, flow: MerchantFlow, input: ReturnType<typeof readFlowForm>): Promise<SaveFlowResult> {
  const errors: FieldErrors = { ...input.errors };
  // The gate checks the template again at send time: Meta can recategorise or pause it later.
  for (const [field, chosen, shape] of chosenTemplates(flow, input.config)) {
    const problem = await templateProblem(shop, flow, chosen, shape);
    if (problem) errors[field] = problem.misfit ? `This template ${problem.misfit}` : problem.refused;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const result = await saveFlowSetting(shop, flow, {
    enabled: input.enabled,
    holdoutPercent: input.holdoutPercent,
    config: input.config,
  });
  return result.ok ? { ok: true } : { ok: false, errors: result.errors };
}

/** Switching on needs usable templates that fit what the flow sends; switching off always works. */
export async function toggleFlow(shop: string, flow: MerchantFlow, enabled: boolean): Promise<SaveFlowResult> {
  if (enabled) {
    const { config } = await loadFlowSetting(shop, flow);
    for (const [, chosen, shape] of chosenTemplates(flow, config as Record<string, unknown>)) {
      const problem = await templateProblem(shop, flow, chosen, shape);
      if (problem?.misfit) return { ok: false, errors: { enabled: `${chosen.templateName} (${chosen.language}) ${problem.misfit}` } };
      if (problem) return { ok: false, errors: { enabled: "Choose an approved template before turning this flow on" } };
    }
  }
  const result = await saveFlowSetting(shop, flow, { enabled });
  return result.ok ? { ok: true } : { ok: false, errors: result.errors };
}

type Chosen = { templateName: string; language: string };

/** Each template the config names, with its form field and what the flow sends with it. */
function chosenTemplates(flow: MerchantFlow, config: Record<string, unknown>): Array<[string, Chosen, SendShape | null]> {
  if (Array.isArray(config.steps)) {
    return (config.steps as Array<Chosen & { discount?: unknown }>).map((step, i) => [
      `config.steps.${i}.templateName`,
      step,
      flowSendShape(flow, { discount: step.discount ?? null }),
    ]);
  }
  return typeof config.templateName === "string" ? [["config.templateName", config as unknown as Chosen, flowSendShape(flow)]] : [];
}

type TemplateProblem = { refused: string; misfit?: string };

/** Why a chosen template cannot be used, or null: approved, in the flow's category, and fitting what it sends. */
async function templateProblem(shop: string, flow: MerchantFlow, chosen: Chosen, shape: SendShape | null): Promise<TemplateProblem | null> {
  const refused = `Choose an approved ${FLOW_CATEGORY[flow].toLowerCase()} template`;
  if (!chosen.templateName) return { refused };
  const template = await prisma.messageTemplate.findFirst({
    where: { shop, name: chosen.templateName, language: chosen.language, status: "APPROVED", category: FLOW_CATEGORY[flow] },
    select: { components: true },
  });
  if (!template) return { refused };
  const misfits = shape ? templateFits(shape, template.components) : [];
  return misfits.length ? { refused, misfit: `does not fit what the flow sends: ${misfits.join("; ")}` } : null;
}
