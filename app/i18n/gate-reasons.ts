/**
 * Merchant-readable words for why the send gate held, deferred or dropped a message, and for
 * the timeline's event kinds. Reasons are the codes app/outbox/gate.ts and
 * app/flows/recheck.server.ts record ("quiet_hours", "country_blocked:+1", "flow_state:cart_converted").
 */
const REASONS: Record<string, string> = {
  quiet_hours: "Quiet hours: waiting for the morning",
  cap_per_day: "Daily limit for this shopper reached",
  cap_per_week: "Weekly limit for this shopper reached",
  messaging_limit_tier: "Your WhatsApp number's daily limit was reached",
  meta_marketing_limit: "WhatsApp's per-shopper marketing limit",
  meta_spam_rate_limit: "WhatsApp held the number: too many of its messages were blocked or reported as spam",
  "marketing_not_allowed_to_region:US": "WhatsApp does not deliver marketing to US numbers",
  whatsapp_access_removed: "Rebound no longer has access to the WhatsApp account",
  marketing_stopped_by_user: "The shopper stopped marketing messages",
  consent_scope_utility_only: "The shopper agreed to reminders only, not marketing",
  subscriber_missing: "The shopper is no longer subscribed",
  template_missing: "The template is not synced or no longer exists",
  shop_uninstalled: "The app was uninstalled",
  whatsapp_not_connected: "WhatsApp is not connected",
  "shop_paused:whatsapp_disconnected": "WhatsApp was disconnected",
  expired: "Too late to be useful",
  holdout: "Control group: not sent on purpose",
  cart_converted: "The cart was bought",
  cart_emptied: "The cart was emptied",
  checkout_completed: "The checkout was completed",
  order_placed: "The shopper placed an order",
  order_cancelled: "The order was cancelled",
  sold_out_again: "The item sold out again",
  already_reordered: "The shopper already reordered",
  booking_passed: "The booking already happened",
  campaign_cancelled: "The campaign was cancelled",
  product_not_active: "The product is not for sale",
};

const PREFIXES: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^country_blocked:(\+\d+)$/, (m) => `Country code ${m[1]} is blocked`],
  [/^country_not_allowed:(\+\d+)$/, (m) => `Country code ${m[1]} is not in your allowed list`],
  [/^marketing_not_allowed_to:(\+\d+)$/, (m) => `WhatsApp does not deliver marketing to ${m[1]}`],
  [/^shop_paused:(.+)$/, (m) => `Sending is paused (${describeGateReason(m[1])})`],
  [/^consent_(\w+)$/, (m) => `The shopper's consent is ${m[1]}`],
  [/^template_category_(\w+)$/, (m) => `The template is now ${m[1].toUpperCase()}, not the flow's category`],
  [/^template_(\w+)$/, (m) => `The template is ${m[1]}`],
  [/^flow_paused:(.+)$/, (m) => `The flow is paused (${m[1]})`],
  [/^flow_state:(.+)$/, (m) => describeGateReason(m[1])],
  [/^(.+)_until_expiry$/, (m) => `${describeGateReason(m[1])} until it expired`],
];

export function describeGateReason(reason: string | null | undefined): string {
  if (!reason) return "";
  if (REASONS[reason]) return REASONS[reason];
  for (const [pattern, text] of PREFIXES) {
    const m = reason.match(pattern);
    if (m) return text(m);
  }
  return reason.replaceAll("_", " ");
}

export const EVENT_LABELS: Record<string, string> = {
  gate: "Checked",
  send: "Send",
  skip: "Skipped",
  defer: "Deferred",
  skipped: "Skipped",
  deferred: "Deferred",
  cancelled: "Cancelled",
  retry_scheduled: "Retry scheduled",
  marketing_stopped: "Shopper stopped marketing",
  discount_created: "Discount code created",
};
