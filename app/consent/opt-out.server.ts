import type { ConsentScope, ConsentSource } from "@prisma/client";
import { cancelNotifications } from "../outbox/schedule.server";
import { appendConsentEvent } from "./ledger.server";
import type { Db } from "../db.server";

/**
 * An opt-out takes effect before any further send (WhatsApp Business Messaging Policy: honour
 * requests to stop): in the caller's transaction the ledger gets the event, the status becomes
 * `unsubscribed`, every scheduled message to the shopper is cancelled and waiting back-in-stock
 * requests are closed. The dispatcher's gate also reads the status, for rows already claimed.
 */
export interface OptOut {
  shop: string;
  subscriberId: string;
  source: ConsentSource;
  scope: ConsentScope;
  text?: string | null;
  locale?: string | null;
  context?: Record<string, string | number | boolean | null>;
  at: Date;
}

export async function recordOptOut(tx: Db, optOut: OptOut): Promise<{ cancelled: number }> {
  await appendConsentEvent(tx, {
    shop: optOut.shop,
    subscriberId: optOut.subscriberId,
    kind: "opt_out",
    scope: optOut.scope,
    source: optOut.source,
    text: optOut.text ?? null,
    locale: optOut.locale ?? null,
    context: optOut.context,
    occurredAt: optOut.at,
  });
  return stopScheduledMessages(tx, optOut.shop, optOut.subscriberId);
}

/** Cancels what is planned for a shopper who is (already) opted out. */
export async function stopScheduledMessages(tx: Db, shop: string, subscriberId: string): Promise<{ cancelled: number }> {
  const cancelled = await cancelNotifications(shop, { subscriberId }, "opted_out", tx);
  await tx.backInStockRequest.updateMany({
    where: { shop, subscriberId, status: "waiting" },
    data: { status: "cancelled" },
  });
  return { cancelled };
}
