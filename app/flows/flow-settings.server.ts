import type { Prisma } from "@prisma/client";
import prisma from "../db.server";
import {
  holdoutPercentSchema,
  readFlowConfig,
  validateFlowConfig,
  type ConfigurableFlow,
  type FlowConfig,
} from "./settings";

export interface LoadedFlowSetting<F extends ConfigurableFlow> {
  enabled: boolean;
  holdoutPercent: number;
  pausedReason: string | null;
  config: FlowConfig<F>;
}

/** A flow with no row yet is off, with the default config, so nothing is sent unasked. */
export async function loadFlowSetting<F extends ConfigurableFlow>(shop: string, flow: F): Promise<LoadedFlowSetting<F>> {
  const row = await prisma.flowSetting.findUnique({ where: { shop_flow: { shop, flow } } });
  return {
    enabled: row?.enabled ?? false,
    holdoutPercent: row?.holdoutPercent ?? 0,
    pausedReason: row?.pausedReason ?? null,
    config: readFlowConfig(flow, row?.config ?? {}),
  };
}

export interface FlowSettingInput {
  enabled?: boolean;
  holdoutPercent?: number;
  config?: unknown;
}

export type SaveFlowSettingResult<F extends ConfigurableFlow> =
  | { ok: true; setting: LoadedFlowSetting<F> }
  | { ok: false; errors: Record<string, string> };

/** Validates everything first; invalid input writes nothing and names each bad field. */
export async function saveFlowSetting<F extends ConfigurableFlow>(
  shop: string,
  flow: F,
  input: FlowSettingInput,
): Promise<SaveFlowSettingResult<F>> {
  const current = await loadFlowSetting(shop, flow);
  const errors: Record<string, string> = {};
  let config = current.config;
  if (input.config !== undefined) {
    const result = validateFlowConfig(flow, input.config);
    if (result.ok) config = result.config;
    else for (const [field, message] of Object.entries(result.errors)) errors[`config.${field}`] = message;
  }
  let holdoutPercent = current.holdoutPercent;
  if (input.holdoutPercent !== undefined) {
    const parsed = holdoutPercentSchema.safeParse(input.holdoutPercent);
    if (parsed.success) holdoutPercent = parsed.data;
    else errors.holdoutPercent = parsed.error.issues[0]?.message ?? "invalid";
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const enabled = input.enabled ?? current.enabled;
  const stored = config as unknown as Prisma.InputJsonValue;
  await prisma.flowSetting.upsert({
    where: { shop_flow: { shop, flow } },
    create: { shop, flow, enabled, holdoutPercent, config: stored },
    update: { enabled, holdoutPercent, config: stored },
  });
  return { ok: true, setting: { enabled, holdoutPercent, pausedReason: current.pausedReason, config } };
}
