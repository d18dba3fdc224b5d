import type { Flow, TemplateCategory } from "@prisma/client";

/**
 * The template category WhatsApp must have given a flow's template. Re-engagement is marketing
 * under Meta's template guidelines; reminders of something the shopper booked and the opt-in
 * confirmation are utility. A template whose synced category differs is never used.
 * https://developers.facebook.com/docs/whatsapp/updates-to-pricing/new-template-guidelines
 */
export const FLOW_CATEGORY: Record<Flow, TemplateCategory> = {
  abandoned_cart: "MARKETING",
  back_in_stock: "MARKETING",
  reorder: "MARKETING",
  upsell: "MARKETING",
  promotion: "MARKETING",
  appointment: "UTILITY",
  optin_confirmation: "UTILITY",
};

export const isMarketingFlow = (flow: Flow) => FLOW_CATEGORY[flow] === "MARKETING";
