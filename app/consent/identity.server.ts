import prisma, { type Db } from "../db.server";
import { appendConsentEvent, lockSubscriber } from "./ledger.server";
import { stopScheduledMessages } from "./opt-out.server";
import { identityHash } from "./suppression.server";

/**
 * Shoppers as Meta identifies them (docs/decisions/035-shoppers-as-meta-identifies-them.md):
 * - the wa_id: the WhatsApp id Meta resolved for a number. It is what `from` and `recipient_id`
 *   carry, and it can differ from the E.164 digits the shopper gave (Brazil's ninth digit,
 *   Mexico's "1"), so replies are matched on it before the phone.
 * - the business-scoped user id (BSUID, "US.13491208655302741918"): every user has one per
 *   business portfolio; a shopper who adopted a WhatsApp username may arrive with only it. It is
 *   learned from any webhook that carries it together with a wa_id or a known message.
 * A STOP that names only an unknown BSUID is kept as an IdentitySuppression (keyed hash) and
 * applied the moment the BSUID is tied to a subscriber.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */
export interface ShopperIds {
  waId?: string | null;
  /** E.164 */
  phone?: string | null;
  bsuid?: string | null;
}

/** The subscriber these ids name: by wa_id first, then the phone, then the BSUID. */
export async function findByIdentity(db: Db, shop: string, ids: ShopperIds): Promise<{ id: string } | null> {
  if (ids.waId) {
    const byWaId = await db.subscriber.findFirst({ where: { shop, waId: ids.waId }, orderBy: [{ updatedAt: "desc" }, { id: "asc" }], select: { id: true } });
    if (byWaId) return byWaId;
  }
  if (ids.phone) {
    const byPhone = await db.subscriber.findUnique({ where: { shop_phone: { shop, phone: ids.phone } }, select: { id: true } });
    if (byPhone) return byPhone;
  }
  if (ids.bsuid) return db.subscriber.findUnique({ where: { shop_bsuid: { shop, bsuid: ids.bsuid } }, select: { id: true } });
  return null;
}

/**
 * Serialises everything said about one BSUID in a shop: a STOP kept for it and the webhook that
 * ties it to a subscriber cannot pass each other, so the STOP is either found or applied.
 */
export async function lockIdentity(db: Db, shop: string, bsuid: string): Promise<void> {
  await db.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtextextended(${`bsuid\n${shop}\n${bsuid}`}, 0))`;
}

/**
 * Ties Meta's ids to a subscriber, in the caller's transaction with the subscriber locked. A BSUID
 * held by another subscriber moves (a number typed twice, with and without Brazil's ninth digit):
 * it names one WhatsApp user. A STOP waiting for that BSUID is applied here.
 */
export async function attachIdentity(db: Db, shop: string, subscriberId: string, ids: { waId?: string | null; bsuid?: string | null }) {
  const row = await db.subscriber.findFirst({ where: { shop, id: subscriberId }, select: { phone: true, waId: true, bsuid: true } });
  if (!row) return;
  const data: { waId?: string | null; bsuid?: string } = {};
  // Kept only where it is not the number's digits (see markSentMany): null means "the digits".
  const waId = ids.waId && ids.waId !== row.phone.replace(/^\+/, "") ? ids.waId : null;
  if (ids.waId && row.waId !== waId) data.waId = waId;
  if (ids.bsuid && row.bsuid !== ids.bsuid) {
    await db.subscriber.updateMany({ where: { shop, bsuid: ids.bsuid, id: { not: subscriberId } }, data: { bsuid: null } });
    data.bsuid = ids.bsuid;
  }
  if (Object.keys(data).length === 0) return;
  await db.subscriber.updateMany({ where: { shop, id: subscriberId }, data });
  if (data.bsuid) await applyIdentitySuppression(db, shop, subscriberId, data.bsuid);
}

/**
 * What a status webhook says about its recipient (recipient_user_id beside recipient_id). Most
 * statuses repeat what is known: one indexed read and nothing else.
 */
export async function learnIdentity(shop: string, subscriberId: string, ids: { waId?: string | null; bsuid: string }) {
  const known = await prisma.subscriber.findFirst({ where: { shop, id: subscriberId }, select: { bsuid: true } });
  if (!known || known.bsuid === ids.bsuid) return;
  await prisma.$transaction(async (tx) => {
    await lockSubscriber(tx, shop, subscriberId);
    await attachIdentity(tx, shop, subscriberId, ids);
  });
}

/** Remembers a STOP or a marketing stop from a BSUID no subscriber is known by yet. Call with lockIdentity held. */
export async function rememberIdentityStop(
  db: Db,
  shop: string,
  bsuid: string,
  stop: { optedOutAt?: Date; marketingStoppedAt?: Date; messageId?: string },
) {
  const hash = identityHash(shop, "bsuid", bsuid);
  const optedOutAt = stop.optedOutAt ?? null;
  const marketingStoppedAt = stop.marketingStoppedAt ?? null;
  await db.$executeRaw`
    INSERT INTO "IdentitySuppression" (shop, "bsuidHash", "optedOutAt", "marketingStoppedAt", "messageId", "createdAt")
    VALUES (${shop}, ${hash}, ${optedOutAt}, ${marketingStoppedAt}, ${stop.messageId ?? null}, now())
    ON CONFLICT (shop, "bsuidHash") DO UPDATE SET
      "optedOutAt" = GREATEST("IdentitySuppression"."optedOutAt", EXCLUDED."optedOutAt"),
      "marketingStoppedAt" = COALESCE(EXCLUDED."marketingStoppedAt", "IdentitySuppression"."marketingStoppedAt"),
      "messageId" = CASE WHEN EXCLUDED."optedOutAt" IS NOT NULL
                         AND EXCLUDED."optedOutAt" >= COALESCE("IdentitySuppression"."optedOutAt", EXCLUDED."optedOutAt")
                         THEN EXCLUDED."messageId" ELSE "IdentitySuppression"."messageId" END`;
}

/** A marketing resume from a BSUID no subscriber is known by: a marketing stop kept for it no longer holds. */
export async function forgetIdentityMarketingStop(db: Db, shop: string, bsuid: string, at: Date) {
  const hash = identityHash(shop, "bsuid", bsuid);
  await db.identitySuppression.updateMany({ where: { shop, bsuidHash: hash, marketingStoppedAt: { lte: at } }, data: { marketingStoppedAt: null } });
  await db.identitySuppression.deleteMany({ where: { shop, bsuidHash: hash, optedOutAt: null, marketingStoppedAt: null } });
}

/**
 * A STOP kept for this BSUID becomes the subscriber's: the ledger gets it dated when it was sent
 * (so an opt-in made after it still wins, as for any late STOP), quoting the message that carried
 * it; a marketing stop sets marketingStoppedAt. The kept row goes.
 */
async function applyIdentitySuppression(db: Db, shop: string, subscriberId: string, bsuid: string) {
  await lockIdentity(db, shop, bsuid);
  const hash = identityHash(shop, "bsuid", bsuid);
  const found = await db.identitySuppression.findUnique({ where: { shop_bsuidHash: { shop, bsuidHash: hash } } });
  if (!found) return;
  if (found.optedOutAt) {
    const current = await db.subscriber.findFirstOrThrow({ where: { shop, id: subscriberId }, select: { scope: true, locale: true } });
    const { status } = await appendConsentEvent(db, {
      shop,
      subscriberId,
      kind: "opt_out",
      scope: current.scope,
      source: "whatsapp_reply",
      locale: current.locale,
      occurredAt: found.optedOutAt,
      context: { messageId: found.messageId, intent: "stop", identifiedBy: "bsuid" },
    });
    if (status === "unsubscribed") await stopScheduledMessages(db, shop, subscriberId);
  }
  if (found.marketingStoppedAt) {
    const changed = await db.subscriber.updateMany({
      where: { shop, id: subscriberId, marketingStoppedAt: null },
      data: { marketingStoppedAt: found.marketingStoppedAt },
    });
    if (changed.count > 0) {
      await appendConsentEvent(db, {
        shop,
        subscriberId,
        kind: "marketing_stopped",
        source: "whatsapp_preferences",
        occurredAt: found.marketingStoppedAt,
        context: { value: "stop", identifiedBy: "bsuid" },
      });
    }
  }
  await db.identitySuppression.delete({ where: { shop_bsuidHash: { shop, bsuidHash: hash } } });
}
