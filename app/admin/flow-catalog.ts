import type { Flow, TemplateCategory } from "@prisma/client";
import { FLOW_SETTINGS, type ConfigurableFlow } from "../flows/settings";
import { FLOW_CATEGORY as OUTBOX_FLOW_CATEGORY } from "../outbox/flow-category";

/**
 * The flows a merchant can switch on (those with a settings module, in app/flows/settings/), and
 * the template category each may use. WhatsApp ties a template's category to what the message
 * does: re-engagement and offers are MARKETING, reminders of something the shopper booked are
 * UTILITY (Meta's template category guidelines).
 */
export type MerchantFlow = ConfigurableFlow;

// Each is also a stored Flow (FlowSetting.flow, Notification.flow).
export const MERCHANT_FLOWS = Object.keys(FLOW_SETTINGS) as MerchantFlow[] satisfies readonly Flow[];

/** The category each flow's template must have; one table for the gate and the admin. */
export const FLOW_CATEGORY: Record<MerchantFlow, TemplateCategory> = OUTBOX_FLOW_CATEGORY;

export function isMerchantFlow(value: string): value is MerchantFlow {
  return (MERCHANT_FLOWS as readonly string[]).includes(value);
}
