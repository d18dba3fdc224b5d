import type { Flow, Prisma, TemplateCategory } from "@prisma/client";
import { FLOW_CATEGORY } from "../outbox/flow-category";

/**
 * Template lifecycle webhooks. Meta can pause, disable or reject a template, and recategorise an
 * approved one (template_category_update); a flow whose template stopped being valid for it is
 * paused with a reason the admin shows, instead of failing message after message.
 * https://developers.facebook.com/docs/whatsapp/business-management-api/webhooks/components
 */
const CATEGORIES = new Set<string>(["MARKETING", "UTILITY", "AUTHENTICATION"]);

/** Flows that send this template: named in their settings, or with messages waiting to use it. */
async function flowsUsingTemplate(db: Prisma.TransactionClient, shop: string, name: string): Promise<Flow[]> {
  const settings = await db.flowSetting.findMany({ where: { shop }, select: { flow: true, config: true } });
  const pending = await db.notification.findMany({
    where: { shop, templateName: name, status: { in: ["scheduled", "sending"] } },
    distinct: ["flow"],
    select: { flow: true },
  });
  const flows = new Set<Flow>(pending.map((p) => p.flow));
  for (const setting of settings) {
    if (namesTemplate(setting.config, name)) flows.add(setting.flow);
  }
  return [...flows];
}

function namesTemplate(config: unknown, name: string): boolean {
  if (Array.isArray(config)) return config.some((item) => namesTemplate(item, name));
  if (config && typeof config === "object") {
    return Object.entries(config).some(([key, value]) => (key === "templateName" && value === name) || namesTemplate(value, name));
  }
  return false;
}

async function pauseFlows(db: Prisma.TransactionClient, shop: string, flows: Flow[], reason: string) {
  if (flows.length === 0) return 0;
  const paused = await db.flowSetting.updateMany({ where: { shop, flow: { in: flows } }, data: { pausedReason: reason } });
  return paused.count;
}

/** Applied in the caller's transaction, with the webhook's receipt (app/whatsapp/webhook.server.ts). */
export async function applyTemplateStatus(
  db: Prisma.TransactionClient,
  shop: string,
  change: { name: string; language: string; event: string; reason?: string | null },
): Promise<void> {
  // REINSTATED returns a paused template to service; FLAGGED is a quality warning, still sendable.
  if (change.event === "FLAGGED") return;
  const status = change.event === "REINSTATED" ? "APPROVED" : change.event;
  // Meta sends reason "NONE" when it has nothing to say; a rejection keeps its reason until approved.
  const reason = change.reason && change.reason !== "NONE" ? change.reason.slice(0, 500) : null;
  const rejectedReason = status === "REJECTED" ? (reason ?? "NONE") : status === "APPROVED" ? null : undefined;
  await db.messageTemplate.updateMany({ where: { shop, name: change.name, language: change.language }, data: { status, rejectedReason } });
  if (status === "APPROVED") {
    await resumeFlows(db, shop, change.name);
    return;
  }
  await pauseFlows(db, shop, await flowsUsingTemplate(db, shop, change.name), `template_${status.toLowerCase()}:${change.name}`);
}

/** An approved template puts back into service the flows its rejection, pause or disabling paused. */
async function resumeFlows(db: Prisma.TransactionClient, shop: string, name: string) {
  const reasons = ["rejected", "paused", "disabled", "pending_deletion"].map((s) => `template_${s}:${name}`);
  await db.flowSetting.updateMany({ where: { shop, pausedReason: { in: reasons } }, data: { pausedReason: null } });
}

/** Applied with the webhook's receipt, like the status. */
export async function applyTemplateQuality(
  db: Prisma.TransactionClient,
  shop: string,
  change: { name: string; language: string; quality: string; at: Date },
): Promise<void> {
  await db.messageTemplate.updateMany({
    where: { shop, name: change.name, language: change.language },
    data: { quality: change.quality, qualityUpdatedAt: change.at },
  });
}

export async function applyTemplateCategory(
  db: Prisma.TransactionClient,
  shop: string,
  change: { name: string; language: string; newCategory: string; previousCategory?: string },
): Promise<void> {
  // An impending change (no previous_category yet) changes nothing until it happens.
  if (!change.previousCategory || !CATEGORIES.has(change.newCategory)) return;
  const category = change.newCategory as TemplateCategory;
  const previous = CATEGORIES.has(change.previousCategory) ? (change.previousCategory as TemplateCategory) : null;
  await db.messageTemplate.updateMany({
    where: { shop, name: change.name, language: change.language },
    data: { category, previousCategory: previous },
  });
  const mismatched = (await flowsUsingTemplate(db, shop, change.name)).filter((flow) => FLOW_CATEGORY[flow] !== category);
  await pauseFlows(db, shop, mismatched, `template_recategorised:${change.name}:${change.previousCategory}->${category}`);
}
