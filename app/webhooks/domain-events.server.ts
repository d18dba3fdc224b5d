import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import { systemClock } from "../shared/clock";
import type { WebhookMeta } from "./ingest.server";
import { sqlJson, sqlTimestamp } from "./sql.server";

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

export async function emitFlowEvent(
  tx: Prisma.TransactionClient,
  shop: string,
  eventId: string,
  event: FlowEvent,
): Promise<void> {
  await tx.$executeRaw(flowEventInsert(shop, eventId, event, Prisma.sql`TRUE`));
}

/**
 * The row enqueueTask writes, as one INSERT … ON CONFLICT DO NOTHING written only when `when`
 * holds: this runs on every webhook, and the ORM's upsert goes through its query compiler on
 * every call; as plain SQL it can also be a step of a webhook's single statement. Same dedup rule
 * (shop, dedupKey); runAt from the process clock (the sandbox runs on simulated time).
 */
export function flowEventInsert(shop: string, eventId: string, event: FlowEvent, when: Prisma.Sql): Prisma.Sql {
  // One product update can restock several variants: each gets its own event.
  const subject = event.kind === "flows.variant_restocked" ? `:${event.payload.variantId}` : "";
  const dedupKey = `${eventId}:${event.kind}${subject}`;
  const written = new Date();
  return Prisma.sql`
    INSERT INTO "Task" (id, shop, kind, payload, "dedupKey", "runAt", "createdAt", "updatedAt")
    SELECT ${randomUUID()}, ${shop}, ${event.kind}, ${sqlJson(event.payload)}, ${dedupKey},
           ${sqlTimestamp(systemClock.now())}, ${sqlTimestamp(written)}, ${sqlTimestamp(written)}
     WHERE ${when}
    ON CONFLICT (shop, "dedupKey") DO NOTHING`;
}

export const emitFromWebhook = (tx: Prisma.TransactionClient, meta: WebhookMeta, event: FlowEvent) =>
  emitFlowEvent(tx, meta.shop, meta.eventId, event);
