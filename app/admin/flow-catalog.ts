import type { Flow, TemplateCategory } from "@prisma/client";

/**
 * The flows a merchant can switch on, and the template category each may use. WhatsApp ties a
 * template's category to what the message does: re-engagement and offers are MARKETING,
 * reminders of something the shopper booked are UTILITY (Meta's template category guidelines).
 */
export const MERCHANT_FLOWS = [
  "abandoned_cart",
  "back_in_stock",
  "reorder",
  "upsell",
  "promotion",
  "appointment",
] as const satisfies readonly Flow[];

export type MerchantFlow = (typeof MERCHANT_FLOWS)[number];

export const FLOW_CATEGORY: Record<MerchantFlow, TemplateCategory> = {
  abandoned_cart: "MARKETING",
  back_in_stock: "MARKETING",
  reorder: "MARKETING",
  upsell: "MARKETING",
  promotion: "MARKETING",
  appointment: "UTILITY",
};

export function isMerchantFlow(value: string): value is MerchantFlow {
  return (MERCHANT_FLOWS as readonly string[]).includes(value);
}
