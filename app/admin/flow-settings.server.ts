import prisma from "../db.server";
import { listCollections, type AdminGraphql, type CollectionOption } from "../catalog/collections.server";
import { loadFlowSetting, saveFlowSetting } from "../flows/flow-settings.server";
import { FLOW_SETTINGS } from "../flows/settings";
import type { FormReader } from "../flows/settings/fields";
import { FLOW_CATEGORY, type MerchantFlow } from "./flow-catalog";
import type { FieldErrors } from "./form-errors";
import { errorFields, log } from "../shared/log.server";

/**
 * One flow's settings page on top of the flows module's own schema, form and storage
 * (app/flows/settings/<flow>.ts, app/flows/flow-settings.server.ts). This module adds what only
 * the admin knows: the request's form data, and refusing templates that are not APPROVED in the flow's
 * category (a MARKETING flow must not send a UTILITY template, and the reverse).
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
  for (const [field, chosen] of chosenTemplates(input.config)) {
    if (!(await isUsable(shop, flow, chosen))) errors[field] = `Choose an approved ${FLOW_CATEGORY[flow].toLowerCase()} template`;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const result = await saveFlowSetting(shop, flow, {
    enabled: input.enabled,
    holdoutPercent: input.holdoutPercent,
    config: input.config,
  });
  return result.ok ? { ok: true } : { ok: false, errors: result.errors };
}

/** Switching on needs usable templates; switching off always works. */
export async function toggleFlow(shop: string, flow: MerchantFlow, enabled: boolean): Promise<SaveFlowResult> {
  if (enabled) {
    const { config } = await loadFlowSetting(shop, flow);
    for (const [, chosen] of chosenTemplates(config as Record<string, unknown>)) {
      if (!(await isUsable(shop, flow, chosen))) return { ok: false, errors: { enabled: "Choose an approved template before turning this flow on" } };
    }
  }
  const result = await saveFlowSetting(shop, flow, { enabled });
  return result.ok ? { ok: true } : { ok: false, errors: result.errors };
}

type Chosen = { templateName: string; language: string };

function chosenTemplates(config: Record<string, unknown>): Array<[string, Chosen]> {
  if (Array.isArray(config.steps)) {
    return (config.steps as Chosen[]).map((step, i) => [`config.steps.${i}.templateName`, step]);
  }
  return typeof config.templateName === "string" ? [["config.templateName", config as unknown as Chosen]] : [];
}

async function isUsable(shop: string, flow: MerchantFlow, chosen: Chosen) {
  if (!chosen.templateName) return false;
  const found = await prisma.messageTemplate.count({
    where: { shop, name: chosen.templateName, language: chosen.language, status: "APPROVED", category: FLOW_CATEGORY[flow] },
  });
  return found > 0;
}
