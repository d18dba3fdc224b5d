import prisma from "../db.server";
import { appendConsentEvent, lockSubscriber } from "./ledger.server";

/**
 * What Meta tells us about one shopper and marketing, whether it arrives as a send error or as a
 * failed status webhook. Both are kept on the subscriber so the gate reads them before the next send.
 */
export const MARKETING_LIMIT_WAIT_MS = 24 * 3_600_000;

/**
 * 131050: the shopper stopped marketing messages from this business in WhatsApp. Meta says never
 * retry; utility messages stay allowed. Recorded in the consent ledger as proof of why we stopped.
 */
export async function recordMarketingStopped(shop: string, subscriberId: string, at: Date, waMessageId: string | null) {
  await prisma.$transaction(async (tx) => {
    await lockSubscriber(tx, shop, subscriberId);
    const changed = await tx.subscriber.updateMany({
      where: { shop, id: subscriberId, marketingStoppedAt: null },
      data: { marketingStoppedAt: at },
    });
    if (changed.count > 0) {
      await appendConsentEvent(tx, {
        shop,
        subscriberId,
        kind: "marketing_stopped",
        source: "whatsapp_status",
        occurredAt: at,
        context: { errorCode: 131050, waMessageId },
      });
    }
  });
}

/** 131049: Meta's per-user marketing limit. Try again no sooner than 24 hours later. */
export async function recordMarketingLimited(shop: string, subscriberId: string, at: Date): Promise<Date> {
  const until = new Date(at.getTime() + MARKETING_LIMIT_WAIT_MS);
  await prisma.subscriber.updateMany({
    where: { shop, id: subscriberId, OR: [{ marketingBlockedUntil: null }, { marketingBlockedUntil: { lt: until } }] },
    data: { marketingBlockedUntil: until },
  });
  return until;
}
