import { z } from "zod";
import type { TemplateParams } from "../outbox/types";
import { wallTime, zonedTimeToUtc } from "../shared/zoned-time";

/**
 * Promotions: a campaign goes to a segment that asked for offers, never to everyone (WhatsApp's
 * Business Messaging Policy forbids newsletters), and no subscriber gets more than the shop's
 * campaigns-per-month. The audience is stored on Campaign.audience in this shape (the admin's
 * campaign form writes lastOrderWithinDays, minSpent and countries).
 */
export const audienceSchema = z.object({
  /** Ordered within this many days */
  lastOrderWithinDays: z.number().int().min(0).max(3650).optional(),
  /** Spent at least this much in total, in the shop's currency */
  minSpent: z.number().min(0).optional(),
  /** Bought this product at some point */
  productId: z.string().regex(/^\d+$/, "a numeric product id").optional(),
  /** Country calling codes ("34", "44"); empty = every allowed country */
  countries: z.array(z.string().regex(/^[1-9]\d{0,2}$/, "a calling code such as 34")).max(50).default([]),
});
export type CampaignAudience = z.infer<typeof audienceSchema>;

export function readAudience(raw: unknown): { ok: true; audience: CampaignAudience } | { ok: false; error: string } {
  const parsed = audienceSchema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, audience: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: `${issue.path.join(".") || "audience"}: ${issue.message}` };
}

/** Start of the calendar month `now` falls in, in the shop's time zone: the cap's window. */
export function monthStart(now: Date, timeZone: string): Date {
  const { year, month } = wallTime(now, timeZone);
  return zonedTimeToUtc({ year, month, day: 1, hour: 0, minute: 0 }, timeZone);
}

/** Calling codes a campaign may reach: the chosen ones minus what the shop or WhatsApp blocks. */

/** A campaign message's parameters: the campaign's body values and the tracked link's token. */
export function promotionParams(body: string[], linkToken: string): TemplateParams {
  return { body, buttons: [{ index: 0, type: "url", suffix: linkToken }] };
}
