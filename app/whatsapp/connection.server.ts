import prisma from "../db.server";
import { env } from "../env.server";
import { decryptSecret } from "../security/encryption.server";
import { createWhatsAppClient, type WhatsAppClient, type WhatsAppCredentials } from "./client.server";

/** The shop's WhatsApp number and its decrypted token, for one send or sync; null when not connected. */
export async function loadCredentials(shop: string): Promise<(WhatsAppCredentials & { messagesPerSecond: number }) | null> {
  const connection = await prisma.whatsAppConnection.findUnique({ where: { shop } });
  if (!connection) return null;
  return {
    phoneNumberId: connection.phoneNumberId,
    businessAccountId: connection.businessAccountId,
    accessToken: decryptSecret(connection.accessTokenEnc),
    messagesPerSecond: connection.messagesPerSecond,
  };
}

/**
 * Meta answered 190: the token expired or was revoked. Every send of the shop would fail the
 * same way, so stop sending until the merchant reconnects; the admin shows the reason as a banner.
 */
export async function pauseForInvalidToken(shop: string, at: Date): Promise<void> {
  await prisma.$transaction([
    prisma.shop.updateMany({
      where: { shop, sendingPausedReason: null },
      data: { sendingPausedReason: "whatsapp_token_invalid", sendingPausedAt: at },
    }),
    prisma.whatsAppConnection.updateMany({
      where: { shop },
      data: { status: "token_invalid", statusReason: "Meta rejected the access token (error 190)" },
    }),
  ]);
}

const HOUR = 3_600_000;
const SPAM_HOLD_MS = HOUR;
const SPAM_HOLD_MAX_MS = 24 * HOUR;

/**
 * Meta answered 131048: too many of the number's messages were blocked or reported as spam, and
 * it refuses more for a while. Sending from the number stops for an hour; another hit within a
 * day of the last hold's end doubles the hold, up to a day. Parallel hits in one burst extend the
 * current hold rather than stack. The admin shows the hold as a banner until it ends.
 */
export async function holdForSpam(shop: string, at: Date): Promise<Date> {
  return prisma.$transaction(async (tx) => {
    const current = await tx.whatsAppConnection.findUnique({ where: { shop }, select: { spamHeldAt: true, spamHeldUntil: true } });
    const last = current?.spamHeldAt && current.spamHeldUntil ? { at: current.spamHeldAt.getTime(), until: current.spamHeldUntil.getTime() } : null;
    if (last && last.until > at.getTime()) return new Date(last.until);
    const recent = last && at.getTime() - last.until < SPAM_HOLD_MAX_MS;
    const hold = recent ? Math.min(SPAM_HOLD_MAX_MS, 2 * (last.until - last.at)) : SPAM_HOLD_MS;
    const until = new Date(at.getTime() + hold);
    await tx.whatsAppConnection.updateMany({ where: { shop }, data: { spamHeldAt: at, spamHeldUntil: until } });
    return until;
  });
}

/** The process's client, pointed at Meta or at the local fake by configuration. */
export function whatsAppClientFromEnv(): WhatsAppClient {
  const config = env();
  return createWhatsAppClient({ origin: config.WHATSAPP_API_ORIGIN, version: config.WHATSAPP_API_VERSION });
}
