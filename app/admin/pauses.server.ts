import prisma from "../db.server";
import { systemClock } from "../shared/clock";

/**
 * Why nothing (or one flow) is being sent right now, or what Meta warned about: shown above every
 * admin page. The shop gets one banner, the most important of what holds: a pause of the whole
 * shop, then Meta holding the number (131048), then Meta's warnings about the account, then the
 * number's quality. Flows paused on their own are listed when nothing holds the whole shop.
 */
export interface ShopBanner {
  /** A key of en.pauses.reasons */
  reason: string;
  tone: "critical" | "warning";
  /** When it ends by itself (ISO), if Meta said */
  until: string | null;
  /** A detail Meta gave (violation type, ban date) */
  detail: string | null;
}

export interface Pauses {
  banner: ShopBanner | null;
  flows: Array<{ flow: string; reason: string }>;
}

type ShopRow = { sendingPausedReason: string | null; sendingPausedUntil: Date | null } | null;
type ConnectionRow = {
  status: string;
  spamHeldUntil: Date | null;
  accountWarning: string | null;
  qualityRating: string | null;
  qualityEvent: string | null;
} | null;

/** The most important banner for what was read, or null. */
function shopBanner(shop: ShopRow, connection: ConnectionRow, now: Date): ShopBanner | null {
  const t = now.getTime();
  if (shop?.sendingPausedReason && (!shop.sendingPausedUntil || shop.sendingPausedUntil.getTime() > t)) {
    return { reason: shop.sendingPausedReason, tone: "critical", until: shop.sendingPausedUntil?.toISOString() ?? null, detail: null };
  }
  if (connection?.status === "access_removed") return { reason: "whatsapp_partner_removed", tone: "critical", until: null, detail: null };
  if (connection?.status === "token_invalid") return { reason: "whatsapp_token_invalid", tone: "critical", until: null, detail: null };
  if (connection?.spamHeldUntil && connection.spamHeldUntil.getTime() > t) {
    return { reason: "meta_spam_rate_limit", tone: "critical", until: connection.spamHeldUntil.toISOString(), detail: null };
  }
  if (connection?.accountWarning) {
    const [kind, ...rest] = connection.accountWarning.split(":");
    return { reason: `whatsapp_account_${kind}`, tone: "warning", until: null, detail: rest.join(":") || null };
  }
  if (connection?.qualityEvent === "FLAGGED" || connection?.qualityRating === "RED") {
    return { reason: "whatsapp_quality_low", tone: "warning", until: null, detail: null };
  }
  return null;
}

export async function loadPauses(shop: string, now: Date = systemClock.now()): Promise<Pauses> {
  const [row, connection, flows] = await Promise.all([
    prisma.shop.findUnique({ where: { shop }, select: { sendingPausedReason: true, sendingPausedUntil: true } }),
    prisma.whatsAppConnection.findUnique({
      where: { shop },
      select: { status: true, spamHeldUntil: true, accountWarning: true, qualityRating: true, qualityEvent: true },
    }),
    prisma.flowSetting.findMany({
      where: { shop, pausedReason: { not: null } },
      select: { flow: true, pausedReason: true },
      orderBy: { flow: "asc" },
    }),
  ]);
  const banner = shopBanner(row, connection, now);
  return {
    banner,
    flows: banner?.tone === "critical" ? [] : flows.map((f) => ({ flow: f.flow, reason: f.pausedReason ?? "" })),
  };
}
