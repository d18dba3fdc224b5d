/**
 * Every kind of task Rebound enqueues. The queue accepts only these (enqueue's `kind` is a
 * TaskKind), and the registry a process builds at start-up must hold a handler for each
 * (./registry.server.ts), so a kind that is enqueued but handled nowhere cannot reach production:
 * it fails the type check or the start-up. The handlers themselves live with the domain that owns
 * the work; the composition that lists them is app/background.server.ts.
 */
export const TASK_KINDS = [
  // Domain events from webhooks to the flows (app/webhooks/domain-events.server.ts)
  "flows.cart_changed",
  "flows.checkout_changed",
  "flows.order_placed",
  "flows.order_paid",
  "flows.order_cancelled",
  "flows.variant_restocked",
  // A reminder step's discount code (app/flows/plan.server.ts)
  "flows.discount_create",
  // Promotions: the launch at the scheduled time, then the check that all was sent
  "campaigns.launch",
  "campaigns.settle",
  // An inventory item no variant names yet, looked up in the Admin API
  "catalog.resolve_inventory_item",
  // WhatsApp consent, both ways between Rebound and Shopify's customer
  "consent.push_to_shopify",
  "consent.read_shopify_customer",
  // The install's shop details, when afterAuth could not read them
  "shops.finish_install",
  // The shop's WhatsApp templates
  "whatsapp.sync_templates",
  // Rebound's template library, submitted to Meta for review (app/templates/)
  "templates.submit_library",
  // The number's messaging limit, quality and Marketing Messages API status, read from Meta
  "whatsapp.read_signals",
] as const;

export type TaskKind = (typeof TASK_KINDS)[number];
