import type { Prisma } from "@prisma/client";
import { enqueueTask } from "../tasks/queue.server";
import type { TaskRequest } from "../tasks/pipelined.server";
import type { WebhookMeta } from "./ingest.server";

/**
 * Domain events from webhooks to the flows, as Tasks written in the webhook's own transaction:
 * either the state change and its event both commit, or neither does. The dedup key is the
 * Shopify event id plus the kind, so a redelivered webhook cannot announce the same change twice.
 */
export type FlowEvent =
  | { kind: "flows.cart_changed"; payload: { cartToken: string } }
  | { kind: "flows.checkout_changed"; payload: { checkoutToken: string } }
  | { kind: "flows.order_placed"; payload: { orderId: string } }
  | { kind: "flows.order_paid"; payload: { orderId: string } }
  | { kind: "flows.order_cancelled"; payload: { orderId: string } }
  | { kind: "flows.variant_restocked"; payload: { variantId: string; available: number; restockId: string } };

/** The task that carries an event; for a pipelined delivery, what it leaves as PENDING_TASKS. */
export function flowEventTask(eventId: string, event: FlowEvent): TaskRequest {
  return { kind: event.kind, payload: event.payload, dedupKey: flowEventKey(eventId, event.kind, event.kind === "flows.variant_restocked" ? event.payload.variantId : undefined) };
}

/** One product update can restock several variants: each gets its own event (`subject`). */
export function flowEventKey(eventId: string, kind: FlowEvent["kind"], subject?: string): string {
  return `${eventId}:${kind}${subject === undefined ? "" : `:${subject}`}`;
}

export async function emitFlowEvent(tx: Prisma.TransactionClient, shop: string, eventId: string, event: FlowEvent): Promise<void> {
  await enqueueTask({ shop, ...flowEventTask(eventId, event) }, tx);
}

export const emitFromWebhook = (tx: Prisma.TransactionClient, meta: WebhookMeta, event: FlowEvent) =>
  emitFlowEvent(tx, meta.shop, meta.eventId, event);
