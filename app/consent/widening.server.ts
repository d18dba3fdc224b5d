import type { ConsentScope } from "@prisma/client";
import { linkCart } from "./cart-link.server";
import type { Db } from "../db.server";

/**
 * Consent widened only by the shopper: a subscribed number asking for more (marketing over
 * utility only, offers over one restock alert) is recorded as a request, and applies when the
 * shopper answers yes on WhatsApp. Anyone can type a number into a storefront form, so until
 * then the old scope stands.
 */
export const SCOPE_RANK: Record<ConsentScope, number> = { utility: 0, marketing: 1 };

interface WideningRequest {
  id: string;
  scope: ConsentScope;
  context: { offers?: boolean; cartToken?: string | null; checkoutToken?: string | null };
}

/** The shopper's latest request for more consent that no later yes, STOP or START has settled. */
export async function openWidening(tx: Db, shop: string, subscriberId: string): Promise<WideningRequest | null> {
  const settled = await tx.consentEvent.findFirst({
    where: { shop, subscriberId, kind: { in: ["confirmed", "opt_out", "re_opt_in"] } },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    select: { occurredAt: true },
  });
  const request = await tx.consentEvent.findFirst({
    where: {
      shop,
      subscriberId,
      kind: "opt_in",
      context: { path: ["widening"], equals: true },
      ...(settled ? { occurredAt: { gt: settled.occurredAt } } : {}),
    },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    select: { id: true, scope: true, context: true },
  });
  return request ? { id: request.id, scope: request.scope, context: (request.context ?? {}) as WideningRequest["context"] } : null;
}

/**
 * The shopper answered yes on WhatsApp while subscribed: if they had asked for more (a wider
 * scope, offers), it applies now, with the cart or checkout they asked about. `confirm` appends
 * the ledger's "confirmed" event with the scope to record. Returns false when nothing was waiting
 * for their yes. Call with the subscriber row locked.
 */
export async function applyConfirmedWidening(
  tx: Db,
  shop: string,
  subscriberId: string,
  at: Date,
  confirm: (scope: ConsentScope, wideningEventId: string) => Promise<void>,
): Promise<boolean> {
  const request = await openWidening(tx, shop, subscriberId);
  if (!request) return false;
  const current = await tx.subscriber.findUniqueOrThrow({ where: { id: subscriberId }, select: { scope: true } });
  await confirm(SCOPE_RANK[request.scope] > SCOPE_RANK[current.scope] ? request.scope : current.scope, request.id);
  if (request.context.offers) await tx.subscriber.updateMany({ where: { shop, id: subscriberId }, data: { acceptsOffers: true } });
  await linkCart(tx, { shop, cartToken: request.context.cartToken, checkoutToken: request.context.checkoutToken, at }, subscriberId);
  return true;
}
