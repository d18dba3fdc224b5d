import type { ConsentKind, ConsentSource, SubscriberStatus } from "@prisma/client";

/** Admin wording for subscribers and their consent history (shared by the list and history pages). */
export const subscriberText = {
  title: "Subscribers",
  export: "Export CSV",
  search: "Search",
  searchPlaceholder: "Phone, email or customer id",
  status: "Status",
  source: "Source",
  scope: "Scope",
  locale: "Language",
  country: "Country",
  phone: "Phone",
  created: "Subscribed",
  any: "Any",
  apply: "Apply",
  clear: "Clear",
  previous: "Newer",
  next: "Older",
  emptyTitle: "No subscribers yet",
  emptyBody: "Shoppers appear here when they opt in from your store, cart or checkout.",
  history: "Consent history",
  requests: "Back-in-stock requests",
  optOut: "Opt out",
  optOutTitle: "Stop all WhatsApp messages to this shopper?",
  optOutBody: "This records an opt-out in the consent ledger and cancels every scheduled message. Only the shopper can opt back in, by replying START on WhatsApp.",
  optOutNote: "Reason (kept in the consent history)",
  optedOut: "Opted out. Scheduled messages were cancelled.",
  cancel: "Cancel",
  textShown: "Text shown",
  version: "Version",
  device: "Device hash",
  notFound: "This subscriber does not exist in your store.",
  statuses: { pending: "Pending confirmation", subscribed: "Subscribed", unsubscribed: "Unsubscribed" } satisfies Record<SubscriberStatus, string>,
  scopes: { marketing: "Marketing", utility: "Utility only" },
  sources: {
    product_block: "Product page",
    cart_block: "Cart page",
    cart_embed: "Cart drawer",
    checkout: "Checkout",
    thank_you: "Thank-you page",
    whatsapp_reply: "WhatsApp reply",
    whatsapp_status: "WhatsApp status",
    admin: "Admin",
    import: "Import",
  } satisfies Record<ConsentSource, string>,
  kinds: {
    opt_in: "Opted in",
    confirmed: "Confirmed on WhatsApp",
    opt_out: "Opted out",
    re_opt_in: "Opted in again",
    marketing_stopped: "Stopped marketing in WhatsApp",
  } satisfies Record<ConsentKind, string>,
};

export function statusBadgeTone(status: SubscriberStatus): "success" | "attention" | "critical" {
  return status === "subscribed" ? "success" : status === "pending" ? "attention" : "critical";
}
