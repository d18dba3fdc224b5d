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

/** The process's client, pointed at Meta or at the local fake by configuration. */
export function whatsAppClientFromEnv(): WhatsAppClient {
  const config = env();
  return createWhatsAppClient({ origin: config.WHATSAPP_API_ORIGIN, version: config.WHATSAPP_API_VERSION });
}
