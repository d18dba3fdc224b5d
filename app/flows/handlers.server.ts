import type { Task } from "@prisma/client";
import { z } from "zod";
import type { TaskKind } from "../tasks/kinds";
import type { TaskHandler, TaskHandlers } from "../tasks/registry.server";
import type { Clock } from "../shared/clock";
import { replanAbandonedCart } from "./abandoned-cart.server";
import { attributeOrder } from "./attribution.server";
import { notifyRestock } from "./back-in-stock.server";
import { runDiscountTask } from "./discounts.server";
import { planAfterOrderPaid, settleOrderCancelled, settleOrderPlaced } from "./orders.server";
import { DISCOUNT_TASK } from "./plan.server";
import { CAMPAIGN_SETTLE_TASK, launchCampaign, settleCampaign } from "./promotion.server";

/**
 * The flows' side of the domain events the webhook handlers enqueue (app/webhooks/
 * domain-events.server.ts), and the flows' own deferred work. Each handler reads current state,
 * so a replayed or reordered event re-plans to the same result. A malformed payload fails the
 * task loudly instead of guessing.
 */
const cartChanged = z.object({ cartToken: z.string().min(1) });
const checkoutChanged = z.object({ checkoutToken: z.string().min(1) });
const orderEvent = z.object({ orderId: z.string().min(1) });
const campaignLaunch = z.object({ campaignId: z.string().min(1) });
const restocked = z.object({ variantId: z.string().min(1), available: z.number(), restockId: z.string().min(1) });

function on<T>(kind: TaskKind, schema: z.ZodType<T>, run: (shop: string, payload: T, clock: Clock) => Promise<unknown>): [string, TaskHandler] {
  const handler: TaskHandler = async (task: Task, clock: Clock) => {
    const parsed = schema.safeParse(task.payload);
    if (!parsed.success) throw new Error(`${kind}: payload ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")} invalid`);
    await run(task.shop, parsed.data, clock);
  };
  return [kind, handler];
}

/** For the task registry (app/background.server.ts). */
export const flowTaskHandlers: TaskHandlers = Object.fromEntries([
  on("flows.cart_changed", cartChanged, (shop, p, clock) => replanAbandonedCart(shop, { cartToken: p.cartToken }, clock.now())),
  on("flows.checkout_changed", checkoutChanged, (shop, p, clock) =>
    replanAbandonedCart(shop, { checkoutToken: p.checkoutToken }, clock.now()),
  ),
  on("flows.order_placed", orderEvent, async (shop, p, clock) => {
    await settleOrderPlaced(shop, p.orderId, clock.now());
    await attributeOrder(shop, p.orderId);
  }),
  // Credit is given on either event: Shopify may deliver orders/paid first, or orders/create late
  // or never (dropped after its retries); attributeOrder writes one row per order.
  on("flows.order_paid", orderEvent, async (shop, p, clock) => {
    await planAfterOrderPaid(shop, p.orderId, clock.now());
    await attributeOrder(shop, p.orderId);
  }),
  on("flows.order_cancelled", orderEvent, (shop, p) => settleOrderCancelled(shop, p.orderId)),
  on("flows.variant_restocked", restocked, (shop, p, clock) => notifyRestock(shop, p, clock.now())),
  [DISCOUNT_TASK, runDiscountTask],
  // Written by the campaign pages (app/admin/campaigns.server.ts) at the scheduled time.
  on("campaigns.launch", campaignLaunch, (shop, p, clock) => launchCampaign(shop, p.campaignId, clock.now())),
  on(CAMPAIGN_SETTLE_TASK, campaignLaunch, (shop, p, clock) => settleCampaign(shop, p.campaignId, clock.now())),
]);
