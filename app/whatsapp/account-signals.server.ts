import type { Prisma } from "@prisma/client";
import { bringForward } from "../outbox/schedule.server";
import { sameDisplayNumber } from "./number-signals";

/**
 * Meta's signals about a shop's WhatsApp account and number, applied in the caller's transaction
 * (a webhook's receipt, or the limits read). Pauses use Shop.sendingPausedReason, which the gate
 * and the admin's banner already read; a pause Meta set is lifted only by Meta's matching signal,
 * and never replaces a pause of another kind (a rejected token, an uninstall).
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/account_update
 */
type Db = Prisma.TransactionClient;

/** Pauses that come from Meta's account signals, most severe first. */
const ACCOUNT_PAUSES = ["whatsapp_account_deleted", "whatsapp_account_disabled", "whatsapp_partner_removed", "whatsapp_account_restricted"] as const;
type AccountPause = (typeof ACCOUNT_PAUSES)[number];

/** The portfolio's messaging limit as Meta just told it; 0 = unlimited. */
export async function applyMessagingLimit(db: Db, shop: string, limit: number, at: Date): Promise<void> {
  const before = (await db.shopSettings.findUnique({ where: { shop }, select: { messagingLimitTier: true } }))?.messagingLimitTier ?? 250;
  const raised = before !== 0 && (limit === 0 || limit > before);
  // Messages held for the old limit may go now; the gate counts them against the new one.
  if (raised) await bringForward(db, shop, ["messaging_limit_tier"], at);
  await db.shopSettings.upsert({
    where: { shop },
    create: { shop, messagingLimitTier: limit, messagingLimitReadAt: at },
    update: { messagingLimitTier: limit, messagingLimitReadAt: at },
  });
}

/** phone_number_quality_update for the shop's number (matched by display number). */
export async function applyQualityEvent(db: Db, shop: string, change: { displayPhoneNumber: string; event: string }, at: Date): Promise<void> {
  const connection = await db.whatsAppConnection.findUnique({ where: { shop }, select: { displayPhoneNumber: true } });
  if (!connection || !sameDisplayNumber(connection.displayPhoneNumber, change.displayPhoneNumber)) return;
  await db.whatsAppConnection.update({ where: { shop }, data: { qualityEvent: change.event, qualityEventAt: at } });
}

async function pause(db: Db, shop: string, reason: AccountPause, at: Date, until: Date | null) {
  // A more severe account pause already in place stays; any lesser one is replaced.
  const lesser = ACCOUNT_PAUSES.slice(ACCOUNT_PAUSES.indexOf(reason));
  await db.shop.updateMany({
    where: { shop, OR: [{ sendingPausedReason: null }, { sendingPausedReason: { in: [...lesser] } }] },
    data: { sendingPausedReason: reason, sendingPausedAt: at, sendingPausedUntil: until },
  });
}

async function lift(db: Db, shop: string, reason: AccountPause, at: Date) {
  const lifted = await db.shop.updateMany({
    where: { shop, sendingPausedReason: reason },
    data: { sendingPausedReason: null, sendingPausedAt: null, sendingPausedUntil: null },
  });
  if (lifted.count > 0) await bringForward(db, shop, [`shop_paused:${reason}`], at);
}

async function warn(db: Db, shop: string, warning: string | null, at: Date) {
  await db.whatsAppConnection.updateMany({ where: { shop }, data: { accountWarning: warning, accountWarningAt: warning ? at : null } });
}

export interface AccountChange {
  event: string;
  restrictions: Array<{ type: string; expiration: Date | null }>;
  violationType: string | null;
  banState: string | null;
  banDate: string | null;
}

/** Restrictions that stop Rebound's messages: business-initiated messaging. */
const BLOCKING_RESTRICTION = "RESTRICTED_BIZ_INITIATED_MESSAGING";

/**
 * account_update, event by event. A violation notice alone does not stop sending (Meta enforces
 * it with a restriction or a ban, which arrive as their own events); it is shown as a warning.
 */
export async function applyAccountChange(db: Db, shop: string, change: AccountChange, at: Date): Promise<void> {
  switch (change.event) {
    case "ACCOUNT_RESTRICTION": {
      const blocking = change.restrictions.filter((r) => r.type === BLOCKING_RESTRICTION);
      if (blocking.length === 0) return lift(db, shop, "whatsapp_account_restricted", at);
      // Without an expiration the restriction holds until Meta says otherwise.
      const ends = blocking.map((r) => r.expiration?.getTime() ?? Infinity);
      const until = Math.max(...ends);
      if (until !== Infinity && until <= at.getTime()) return lift(db, shop, "whatsapp_account_restricted", at);
      return pause(db, shop, "whatsapp_account_restricted", at, until === Infinity ? null : new Date(until));
    }
    case "ACCOUNT_VIOLATION":
      return warn(db, shop, `violation:${change.violationType ?? "unknown"}`, at);
    case "DISABLED_UPDATE":
      if (change.banState === "DISABLE") return pause(db, shop, "whatsapp_account_disabled", at, null);
      if (change.banState === "REINSTATE") {
        await warn(db, shop, null, at);
        return lift(db, shop, "whatsapp_account_disabled", at);
      }
      if (change.banState === "SCHEDULE_FOR_DISABLE") return warn(db, shop, `schedule_for_disable:${change.banDate ?? ""}`, at);
      return;
    case "ACCOUNT_DELETED":
      await db.whatsAppConnection.updateMany({ where: { shop }, data: { status: "access_removed", statusReason: "Meta deleted the WhatsApp Business account" } });
      return pause(db, shop, "whatsapp_account_deleted", at, null);
    case "PARTNER_REMOVED":
      // The connection is kept (the merchant may add Rebound back); nothing can be sent meanwhile.
      await db.whatsAppConnection.updateMany({
        where: { shop },
        data: { status: "access_removed", statusReason: "The business removed Rebound's access to its WhatsApp account" },
      });
      return pause(db, shop, "whatsapp_partner_removed", at, null);
    case "PARTNER_ADDED":
      await db.whatsAppConnection.updateMany({ where: { shop, status: "access_removed" }, data: { status: "healthy", statusReason: null } });
      return lift(db, shop, "whatsapp_partner_removed", at);
    case "MM_LITE_TERMS_SIGNED":
      return applyMarketingMessagesOnboarded(db, shop);
    default:
      return;
  }
}

/** Meta now takes the account's MARKETING templates through the MM API: use it, unless the merchant chose. */
export async function applyMarketingMessagesOnboarded(db: Db, shop: string): Promise<void> {
  await db.shopSettings.upsert({
    where: { shop },
    create: { shop, useMarketingMessagesApi: true },
    update: {},
  });
  await db.shopSettings.updateMany({ where: { shop, marketingMessagesApiChosen: false }, data: { useMarketingMessagesApi: true } });
}
