import type { Db } from "../db.server";
import { appendConsentEvent, lockSubscriber } from "./ledger.server";
import { attachIdentity, findByIdentity, forgetIdentityMarketingStop, lockIdentity, rememberIdentityStop } from "./identity.server";
import { InvalidPhoneNumber, parseWhatsAppSender } from "./phone.server";

/**
 * A shopper stopped or resumed marketing messages from the business inside WhatsApp (Meta's
 * `user_preferences` webhook). Stop is what error 131050 reports after the fact, known before the
 * next send: marketingStoppedAt is set, which the gate and the send-time re-check read, so no
 * marketing goes out while it holds; utility messages stay allowed. Resume lifts it. Neither
 * changes the subscriber's status: a STOP sent to the business is the shopper's word to us, and
 * only their START undoes it. Both go to the ledger (`marketing_stopped`, `marketing_resumed`).
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/user_preferences
 */
export interface MarketingPreference {
  shop: string;
  waId: string | null;
  bsuid: string | null;
  value: "stop" | "resume";
  detail: string | null;
  at: Date;
}

export type PreferenceOutcome = "applied" | "unchanged" | "kept_for_bsuid" | "unknown_shopper";

function phoneOf(waId: string | null): string | null {
  if (!waId) return null;
  try {
    return parseWhatsAppSender(waId).e164;
  } catch (error) {
    if (error instanceof InvalidPhoneNumber) return null;
    throw error;
  }
}

/** Applies one preference in the caller's transaction (the webhook's receipt commits with it). */
export async function applyMarketingPreference(db: Db, pref: MarketingPreference): Promise<PreferenceOutcome> {
  let subscriber = await findByIdentity(db, pref.shop, { waId: pref.waId, phone: phoneOf(pref.waId), bsuid: pref.bsuid });
  if (!subscriber && pref.bsuid) {
    await lockIdentity(db, pref.shop, pref.bsuid);
    subscriber = await findByIdentity(db, pref.shop, { bsuid: pref.bsuid });
    if (!subscriber) {
      if (pref.value === "stop") await rememberIdentityStop(db, pref.shop, pref.bsuid, { marketingStoppedAt: pref.at });
      else await forgetIdentityMarketingStop(db, pref.shop, pref.bsuid, pref.at);
      return "kept_for_bsuid";
    }
  }
  // Someone the shop never had: Meta refuses them marketing itself (131050) and we send them none.
  if (!subscriber) return "unknown_shopper";
  const { shop } = pref;
  const subscriberId = subscriber.id;
  await lockSubscriber(db, shop, subscriberId);
  await attachIdentity(db, shop, subscriberId, { waId: pref.waId, bsuid: pref.bsuid });

  // Meta's deliveries can arrive out of order: a preference older than the last one applied is
  // history, not the shopper's current wish.
  const latest = await db.consentEvent.findFirst({
    where: { shop, subscriberId, kind: { in: ["marketing_stopped", "marketing_resumed"] } },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    select: { occurredAt: true },
  });
  if (latest && latest.occurredAt > pref.at) return "unchanged";

  const context = { value: pref.value, category: "marketing_messages", ...(pref.detail ? { detail: pref.detail.slice(0, 200) } : {}) };
  if (pref.value === "stop") {
    const changed = await db.subscriber.updateMany({ where: { shop, id: subscriberId, marketingStoppedAt: null }, data: { marketingStoppedAt: pref.at } });
    if (changed.count === 0) return "unchanged";
    await appendConsentEvent(db, { shop, subscriberId, kind: "marketing_stopped", source: "whatsapp_preferences", occurredAt: pref.at, context });
    return "applied";
  }
  const changed = await db.subscriber.updateMany({ where: { shop, id: subscriberId, marketingStoppedAt: { not: null } }, data: { marketingStoppedAt: null } });
  if (changed.count === 0) return "unchanged";
  await appendConsentEvent(db, { shop, subscriberId, kind: "marketing_resumed", source: "whatsapp_preferences", occurredAt: pref.at, context });
  return "applied";
}
