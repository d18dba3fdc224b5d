import { z } from "zod";
import prisma from "../db.server";
import { fieldErrors, type FieldErrors } from "./form-errors";

/**
 * The shop-wide sending rules the policy gate reads: quiet hours, frequency caps, country
 * eligibility, attribution window, double opt-in, retention, flow priority.
 */
export const PRIORITY_FLOWS = ["abandoned_cart", "back_in_stock", "reorder", "upsell", "promotion"] as const;

const time = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use a time like 21:00")
  .transform((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3)));

// Calling codes are 1-3 digits (ITU-T E.164); merchants type them with or without "+".
const callingCodes = z
  .string()
  .transform((s) => s.split(/[\s,]+/).map((c) => c.replace(/^\+/, "")).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[1-9]\d{0,2}$/, "Use calling codes like 34, 44, 91")).max(250))
  .transform((codes) => [...new Set(codes)]);

const checkbox = z.union([z.literal("on"), z.literal("true"), z.literal("false"), z.literal("")]).optional()
  .transform((v) => v === "on" || v === "true");
/** A setting added after the form's first version: absent leaves it as it is. */
const keptCheckbox = z.union([z.literal("on"), z.literal("true"), z.literal("false"), z.literal("")]).optional()
  .transform((v) => (v === undefined ? undefined : v === "on" || v === "true"));

export const shopSettingsForm = z
  .object({
    quietHoursEnabled: checkbox,
    quietHoursStart: time,
    quietHoursEnd: time,
    marketingCapPerDay: z.coerce.number().int("Use a whole number").min(1, "At least 1").max(10, "At most 10"),
    marketingCapPerWeek: z.coerce.number().int("Use a whole number").min(1, "At least 1").max(30, "At most 30"),
    campaignsPerMonth: z.coerce.number().int("Use a whole number").min(0, "0 or more").max(8, "At most 8"),
    allowedCallingCodes: callingCodes,
    blockedCallingCodes: callingCodes,
    attributionWindowDays: z.coerce.number().int("Use a whole number").min(1, "At least 1 day").max(30, "At most 30 days"),
    doubleOptIn: checkbox,
    blockUsMarketing: keptCheckbox,
    useMarketingMessagesApi: keptCheckbox,
    dataRetentionDays: z.coerce.number().int("Use a whole number").min(30, "At least 30 days").max(3650, "At most 10 years"),
    flowPriority: z
      .string()
      .transform((s) => s.split(",").filter(Boolean))
      .pipe(z.array(z.enum(PRIORITY_FLOWS)))
      .refine((list) => list.length === PRIORITY_FLOWS.length && new Set(list).size === list.length, "List every flow once"),
  })
  .refine((s) => s.marketingCapPerWeek >= s.marketingCapPerDay, {
    path: ["marketingCapPerWeek"],
    message: "Must be at least the daily cap",
  })
  .refine((s) => !s.allowedCallingCodes.some((c) => s.blockedCallingCodes.includes(c)), {
    path: ["blockedCallingCodes"],
    message: "A code can't be both allowed and blocked",
  });

export async function loadShopSettings(shop: string) {
  const settings = await prisma.shopSettings.upsert({ where: { shop }, create: { shop }, update: {} });
  return {
    quietHoursEnabled: settings.quietHoursEnabled,
    quietHoursStart: clock(settings.quietHoursStart),
    quietHoursEnd: clock(settings.quietHoursEnd),
    marketingCapPerDay: settings.marketingCapPerDay,
    marketingCapPerWeek: settings.marketingCapPerWeek,
    campaignsPerMonth: settings.campaignsPerMonth,
    allowedCallingCodes: settings.allowedCallingCodes.join(", "),
    blockedCallingCodes: settings.blockedCallingCodes.join(", "),
    attributionWindowDays: settings.attributionWindowDays,
    doubleOptIn: settings.doubleOptIn,
    dataRetentionDays: settings.dataRetentionDays,
    flowPriority: normalisePriority(settings.flowPriority),
    blockUsMarketing: settings.blockUsMarketing,
    useMarketingMessagesApi: settings.useMarketingMessagesApi,
    /** Meta's messaging limit (0 = unlimited) and when it was read; null = not read yet */
    messagingLimit: settings.messagingLimitTier,
    messagingLimitReadAt: settings.messagingLimitReadAt?.toISOString() ?? null,
  };
}

export async function saveShopSettings(shop: string, form: Record<string, unknown>): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  const parsed = shopSettingsForm.safeParse(form);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const current = await prisma.shopSettings.findUnique({ where: { shop }, select: { useMarketingMessagesApi: true } });
  // Once the merchant changes the Marketing Messages API setting, Meta's onboarding signal no
  // longer changes it for them.
  const chosen = parsed.data.useMarketingMessagesApi !== undefined && parsed.data.useMarketingMessagesApi !== (current?.useMarketingMessagesApi ?? false);
  const data = { ...parsed.data, ...(chosen ? { marketingMessagesApiChosen: true } : {}) };
  await prisma.shopSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  return { ok: true };
}

function clock(minutes: number) {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** Older rows may miss a flow added later; append it at the end rather than drop it. */
function normalisePriority(stored: string[]) {
  const known = stored.filter((f): f is (typeof PRIORITY_FLOWS)[number] => (PRIORITY_FLOWS as readonly string[]).includes(f));
  return [...new Set([...known, ...PRIORITY_FLOWS])];
}
