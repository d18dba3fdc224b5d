import { homeCopy } from "./admin/home";
import { flowsCopy } from "./admin/flows";
import { campaignsCopy } from "./admin/campaigns";
import { messagesCopy } from "./admin/messages";
import { settingsCopy } from "./admin/settings";
import { templatesCopy } from "./admin/templates";

/**
 * Merchant-facing copy of the admin pages, in one dictionary so it can be translated as a whole;
 * each area of the admin keeps its part in admin/.
 * Short, in the merchant's words; {placeholders} are filled by `fill`.
 */
export const en = {
  nav: { home: "Home", flows: "Flows", campaigns: "Campaigns", messages: "Messages", demand: "Demand", settings: "Settings", templates: "Templates" },
  flowNames: {
    abandoned_cart: "Abandoned cart",
    back_in_stock: "Back in stock",
    reorder: "Time to reorder",
    upsell: "Upsell",
    promotion: "Promotion",
    appointment: "Appointment reminder",
    optin_confirmation: "Opt-in confirmation",
  } as Record<string, string>,
  flowDescriptions: {
    abandoned_cart: "Remind shoppers who left items in their cart.",
    back_in_stock: "Tell waiting shoppers the moment an item is back.",
    reorder: "Nudge customers when they are likely running out.",
    upsell: "Suggest a product that goes with a recent order.",
    promotion: "Send an offer to shoppers who asked for offers.",
    appointment: "Remind customers of a booking they made.",
  } as Record<string, string>,
  statuses: {
    scheduled: "Scheduled",
    sending: "Sending",
    sent: "Sent",
    delivered: "Delivered",
    read: "Read",
    failed: "Failed",
    skipped: "Skipped",
    cancelled: "Cancelled",
    held_out: "Held out",
    draft: "Draft",
  } as Record<string, string>,
  pauses: {
    shopTitle: "Messages are paused",
    flowTitle: "{flow} is paused",
    reasons: {
      whatsapp_token_invalid: "WhatsApp rejected the access token. Reconnect WhatsApp in Settings to resume.",
      whatsapp_disconnected: "WhatsApp was disconnected. Connect it in Settings to resume.",
      token_invalid: "WhatsApp rejected the access token. Reconnect WhatsApp in Settings to resume.",
      uninstalled: "The app was uninstalled from this store.",
      template_recategorized: "WhatsApp changed the template's category. Choose another template.",
      template_paused: "WhatsApp paused the template for low quality. Choose another template.",
      template_disabled: "WhatsApp disabled the template. Choose another template.",
      template_rejected: "WhatsApp rejected the template. Choose another template.",
      whatsapp_account_restricted: "Meta restricted your WhatsApp Business account from starting conversations. Sending resumes when Meta lifts the restriction.",
      whatsapp_account_disabled: "Meta disabled your WhatsApp Business account. Sending resumes if Meta reinstates it; you can appeal in WhatsApp Manager.",
      whatsapp_account_deleted: "Your WhatsApp Business account was deleted. Connect another number in Settings to send again.",
      whatsapp_partner_removed: "Your business removed Rebound's access to its WhatsApp account. Add Rebound back as a partner in Meta Business Suite to resume.",
      meta_spam_rate_limit: "WhatsApp is holding your number because too many of its messages were blocked or reported as spam. Rebound sends nothing from it until the hold ends; review who gets which flows.",
      whatsapp_account_violation: "Meta found a policy violation on your WhatsApp Business account ({detail}). Sending continues; repeated violations lead to restrictions.",
      whatsapp_account_schedule_for_disable: "Meta plans to disable your WhatsApp Business account ({detail}). Appeal in WhatsApp Manager to keep sending.",
      whatsapp_quality_low: "WhatsApp rates your number's quality low: shoppers block or report its messages. Send fewer, more relevant messages to keep your messaging limit.",
    } as Record<string, string>,
    warningTitle: "WhatsApp warns about your account",
    until: "Until {at}.",
    unknown: "Reason: {reason}",
    fix: "Open settings",
  },
  errors: {
    title: "Something went wrong",
    body: "This page couldn't load. Try again in a moment.",
    notFoundTitle: "Not found",
    back: "Back",
  },
  loading: "Loading",
  ...homeCopy,
  ...flowsCopy,
  ...campaignsCopy,
  ...messagesCopy,
  ...templatesCopy,
  ...settingsCopy,
};

export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}
