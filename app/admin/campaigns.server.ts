import type { Prisma } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";
import { isValidLocalDateTime, zonedTimeToUtc } from "../shared/zoned-time";
import { campaignProgress, estimateAudience as estimatePromotionAudience } from "../flows/promotion.server";
import { cancelQueuedTasks, enqueueTask } from "../tasks/queue.server";
import { decodeCursor, encodeCursor } from "../shared/cursor";
import { fieldErrors, type FieldErrors } from "./form-errors";
import { bodyPlaceholderCount } from "./template-preview";
import { promotionShape } from "../flows/send-shape";
import { templateFits } from "../outbox/template-fit";

/**
 * Promotional campaigns from the merchant's side: draft, audience estimate, schedule, progress
 * and results. WhatsApp forbids newsletters, so the audience is only subscribers who accepted
 * offers, with marketing consent, not stopped by WhatsApp, in an eligible country.
 */
const PAGE_SIZE = 25;
export const CAMPAIGN_LAUNCH_TASK = "campaigns.launch";

const callingCodes = z
  .string()
  .optional()
  .transform((s) => (s ?? "").split(/[\s,]+/).map((c) => c.replace(/^\+/, "")).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[1-9]\d{0,2}$/, "Use calling codes like 34, 44")).max(50));

const optionalNumber = (max: number, message: string) =>
  z
    .string()
    .optional()
    .transform((s) => (s && s.trim() !== "" ? Number(s) : undefined))
    .pipe(z.number({ error: message }).min(0, message).max(max, message).optional());

// <input type="datetime-local"> sends the merchant's wall-clock time without a zone; campaigns
// go out on the shop's clock, like everything else in the Shopify admin.
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;

export function shopLocalTime(raw: string, timeZone: string): Date | null {
  const m = LOCAL_DATE_TIME.exec(raw);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  const local = { year, month, day, hour, minute };
  // 30 February would otherwise become 2 March: a form that names no such day is refused.
  return isValidLocalDateTime(local) ? zonedTimeToUtc(local, timeZone) : null;
}

async function shopTimeZone(shop: string) {
  return (await prisma.shop.findUnique({ where: { shop }, select: { timezone: true } }))?.timezone ?? "UTC";
}

export const audienceForm = z.object({
  lastOrderWithinDays: optionalNumber(3650, "Between 0 and 3650 days"),
  minSpent: optionalNumber(10_000_000, "0 or more"),
  productId: z
    .string()
    .optional()
    .transform((s) => (s && s.trim() !== "" ? s.trim() : undefined))
    .pipe(z.string().regex(/^\d{1,20}$/, "Choose a product from your store").optional()),
  countries: callingCodes,
});
export type Audience = z.infer<typeof audienceForm>;

const campaignForm = z
  .object({
    name: z.string().trim().min(1, "Give the campaign a name").max(120, "At most 120 characters"),
    template: z.string().min(1, "Choose a template"),
    scheduledAt: z
      .string()
      .optional()
      .refine((s) => !s || LOCAL_DATE_TIME.test(s), "Enter a date and time"),
    link: z
      .string()
      .trim()
      .optional()
      .transform((s) => s || undefined)
      .pipe(z.string().url("Enter a full link starting with https://").startsWith("https://", "Enter a full link starting with https://").optional()),
  })
  .and(audienceForm);

/** Who a campaign would reach now: counted by the flows module with the same SQL the launch uses. */
export function estimateAudience(shop: string, audience: Audience, now: Date): Promise<number> {
  return estimatePromotionAudience(shop, audience, now);
}

export function parseAudience(form: Record<string, unknown>) {
  const parsed = audienceForm.safeParse(form);
  return parsed.success ? { ok: true as const, audience: parsed.data } : { ok: false as const, errors: fieldErrors(parsed.error) };
}

export type SaveCampaignResult = { ok: true; id: string } | { ok: false; errors: FieldErrors };

/** Creates the campaign as a draft, or scheduled when a time is given (sent by the launch task). */
export async function createCampaign(shop: string, form: Record<string, unknown>, now: Date): Promise<SaveCampaignResult> {
  const parsed = campaignForm.safeParse(form);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const { name, template, scheduledAt: rawAt, link, ...audience } = parsed.data;
  const scheduledAt = rawAt ? shopLocalTime(rawAt, await shopTimeZone(shop)) : null;
  if (rawAt && !scheduledAt) return { ok: false, errors: { scheduledAt: "Enter a date and time" } };
  const [templateName, templateLanguage] = template.split("|");
  const approved = await prisma.messageTemplate.findFirst({
    where: { shop, name: templateName, language: templateLanguage, status: "APPROVED", category: "MARKETING" },
  });
  if (!approved) return { ok: false, errors: { template: "Choose an approved marketing template" } };
  // The campaign fills every body variable; the rest of the template must carry what a promotion sends.
  const misfits = templateFits(promotionShape(bodyPlaceholderCount(approved.components)), approved.components);
  if (misfits.length) return { ok: false, errors: { template: `This template does not fit what a campaign sends: ${misfits.join("; ")}` } };
  // Every {{n}} in the template needs a value; WhatsApp refuses a send with a different count.
  const body: string[] = [];
  const bodyErrors: FieldErrors = {};
  for (let n = 1; n <= bodyPlaceholderCount(approved.components); n++) {
    const value = String(form[`body.${n}`] ?? "").trim();
    if (!value) bodyErrors[`body.${n}`] = "Fill in this value";
    else if (value.length > 1000) bodyErrors[`body.${n}`] = "At most 1000 characters";
    body.push(value);
  }
  if (Object.keys(bodyErrors).length) return { ok: false, errors: bodyErrors };
  if (scheduledAt && scheduledAt.getTime() < now.getTime() - 60_000) return { ok: false, errors: { scheduledAt: "Choose a time in the future" } };
  if (audience.productId && !(await prisma.product.findUnique({ where: { shop_id: { shop, id: audience.productId } }, select: { id: true } }))) {
    return { ok: false, errors: { productId: "Choose a product from your store" } };
  }
  const audienceSize = await estimateAudience(shop, audience, now);
  const campaign = await prisma.$transaction(async (tx) => {
    const row = await tx.campaign.create({
      data: {
        shop,
        name,
        templateName: approved.name,
        templateLanguage: approved.language,
        params: { body, ...(link ? { link } : {}) },
        audience: { ...audience },
        audienceSize,
        status: scheduledAt ? "scheduled" : "draft",
        scheduledAt,
      },
    });
    if (scheduledAt) await scheduleLaunch(tx, shop, row.id, scheduledAt);
    return row;
  });
  return { ok: true, id: campaign.id };
}

async function scheduleLaunch(tx: Prisma.TransactionClient, shop: string, campaignId: string, at: Date) {
  await enqueueTask({ shop, kind: CAMPAIGN_LAUNCH_TASK, payload: { campaignId }, dedupKey: `campaign:${campaignId}:${at.toISOString()}`, runAt: at }, tx);
}

export async function scheduleCampaign(shop: string, id: string, rawAt: string, now: Date): Promise<SaveCampaignResult | null> {
  const campaign = await prisma.campaign.findFirst({ where: { id, shop } });
  if (!campaign) return null;
  if (campaign.status !== "draft") return { ok: false, errors: { form: "Only a draft can be scheduled" } };
  const at = rawAt ? shopLocalTime(rawAt, await shopTimeZone(shop)) : now;
  if (!at) return { ok: false, errors: { scheduledAt: "Enter a date and time" } };
  if (at.getTime() < now.getTime() - 60_000) return { ok: false, errors: { scheduledAt: "Choose a time in the future" } };
  const audience = audienceForm.safeParse(stringify(campaign.audience));
  const audienceSize = await estimateAudience(shop, audience.success ? audience.data : { countries: [] }, now);
  await prisma.$transaction(async (tx) => {
    await tx.campaign.updateMany({ where: { id, shop, status: "draft" }, data: { status: "scheduled", scheduledAt: at, audienceSize } });
    await scheduleLaunch(tx, shop, id, at);
  });
  return { ok: true, id };
}

export async function cancelCampaign(shop: string, id: string): Promise<SaveCampaignResult | null> {
  const campaign = await prisma.campaign.findFirst({ where: { id, shop }, select: { status: true } });
  if (!campaign) return null;
  if (campaign.status !== "draft" && campaign.status !== "scheduled") return { ok: false, errors: { form: "This campaign already started" } };
  await prisma.$transaction([
    prisma.campaign.updateMany({ where: { id, shop, status: { in: ["draft", "scheduled"] } }, data: { status: "cancelled" } }),
    cancelQueuedTasks(shop, CAMPAIGN_LAUNCH_TASK, `campaign:${id}:`),
  ]);
  return { ok: true, id };
}

/** Stored audience JSON back to form strings, so one schema reads both. */
function stringify(raw: unknown): Record<string, string> {
  const a = (raw ?? {}) as Record<string, unknown>;
  return {
    ...(a.lastOrderWithinDays !== undefined ? { lastOrderWithinDays: String(a.lastOrderWithinDays) } : {}),
    ...(a.minSpent !== undefined ? { minSpent: String(a.minSpent) } : {}),
    ...(typeof a.productId === "string" ? { productId: a.productId } : {}),
    countries: Array.isArray(a.countries) ? a.countries.join(",") : "",
  };
}

export async function listCampaigns(shop: string, rawCursor: string | null, pageSize = PAGE_SIZE) {
  const cursor = decodeCursor(rawCursor);
  const rows = await prisma.campaign.findMany({
    where: cursor
      ? { shop, OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }
      : { shop },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: pageSize + 1,
  });
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    items: page.map((c) => ({
      id: c.id,
      name: c.name,
      status: c.status,
      templateName: c.templateName,
      audienceSize: c.audienceSize,
      scheduledAt: c.scheduledAt?.toISOString() ?? null,
      createdAt: c.createdAt.toISOString(),
    })),
    next: rows.length > pageSize && last ? encodeCursor(last) : null,
    first: !cursor,
  };
}

export async function loadCampaign(shop: string, id: string) {
  const campaign = await prisma.campaign.findFirst({ where: { id, shop } });
  if (!campaign) return null;
  const progress = await campaignProgress(shop, id);
  const counts = progress.byStatus;
  const sent = (counts.sent ?? 0) + (counts.delivered ?? 0) + (counts.read ?? 0);
  return {
    id: campaign.id,
    name: campaign.name,
    status: campaign.status,
    templateName: campaign.templateName,
    templateLanguage: campaign.templateLanguage,
    audience: stringify(campaign.audience),
    audienceSize: campaign.audienceSize,
    scheduledAt: campaign.scheduledAt?.toISOString() ?? null,
    startedAt: campaign.startedAt?.toISOString() ?? null,
    finishedAt: campaign.finishedAt?.toISOString() ?? null,
    progress: {
      planned: progress.total,
      waiting: (counts.scheduled ?? 0) + (counts.sending ?? 0),
      sent,
      delivered: (counts.delivered ?? 0) + (counts.read ?? 0),
      read: counts.read ?? 0,
      clicked: progress.clicked,
      heldOut: counts.held_out ?? 0,
      failed: counts.failed ?? 0,
      skipped: (counts.skipped ?? 0) + (counts.cancelled ?? 0),
    },
    results: { orders: progress.orders, revenue: progress.revenue },
  };
}

const PICKER_PRODUCTS = 200;

/**
 * Products a campaign can target by "bought it": the shop's products that appear in its orders,
 * the most ordered first, so the few a merchant is likely to pick are at the top of the list.
 */
export async function audienceProducts(shop: string) {
  return prisma.$queryRaw<Array<{ id: string; title: string; orders: number }>>`
    SELECT p.id, p.title, count(DISTINCT li."orderId")::int AS orders
      FROM "Product" p JOIN "OrderLineItem" li ON li.shop = p.shop AND li."productId" = p.id
     WHERE p.shop = ${shop}
     GROUP BY p.id, p.title
     ORDER BY orders DESC, p.title, p.id
     LIMIT ${PICKER_PRODUCTS}`;
}

/** The campaign picker's templates: approved marketing ones that can carry a campaign (the save checks again). */
export async function marketingTemplates(shop: string) {
  const templates = await prisma.messageTemplate.findMany({
    where: { shop, status: "APPROVED", category: "MARKETING" },
    orderBy: [{ name: "asc" }, { language: "asc" }],
    select: { name: true, language: true, components: true },
  });
  return templates.filter((t) => templateFits(promotionShape(bodyPlaceholderCount(t.components)), t.components).length === 0);
}
