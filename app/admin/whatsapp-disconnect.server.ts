import prisma from "../db.server";
import { signupGraphFromEnv, type SignupGraph } from "../whatsapp/signup-graph.server";
import { storedToken } from "./whatsapp-connection.server";

/**
 * Disconnecting WhatsApp (ADR 031). For a connection Embedded Signup made, Meta is asked to take
 * back what Rebound did: deregister the number and unsubscribe the app from the account's
 * webhooks. A manual connection was set up in the merchant's own Meta tools, so nothing there is
 * touched. Whatever Meta answers, the connection and its token are deleted and sending pauses
 * with a reason the admin shows: the app never believes it is still connected. The steps Meta
 * refused are returned so the merchant can finish them in WhatsApp Manager.
 */
export type NotUndone = "registration" | "subscription";

export type DisconnectResult = { ok: true; notUndone: NotUndone[] } | { ok: false; errors: Record<string, string> };

export async function disconnectWhatsApp(shop: string, now: Date, graph: SignupGraph | null = signupGraphFromEnv()): Promise<DisconnectResult> {
  const row = await prisma.whatsAppConnection.findUnique({ where: { shop } });
  if (!row) return { ok: false, errors: { form: "WhatsApp is not connected" } };

  const notUndone: NotUndone[] = [];
  if (row.connectedVia === "signup") {
    const token = storedToken(row.accessTokenEnc);
    const attempt = async (step: NotUndone, call: (g: SignupGraph, token: string) => Promise<void>) => {
      if (!graph || !token) return notUndone.push(step);
      await call(graph, token).catch(() => notUndone.push(step));
    };
    await attempt("registration", (g, token) => g.deregisterNumber(row.phoneNumberId, token));
    await attempt("subscription", (g, token) => g.unsubscribeApp(row.businessAccountId, token));
  }

  await prisma.$transaction([
    prisma.whatsAppConnection.deleteMany({ where: { shop } }),
    // Scheduled messages wait (the gate defers a paused shop) instead of going out; an uninstall keeps its own reason.
    prisma.shop.updateMany({
      where: { shop, OR: [{ sendingPausedReason: null }, { sendingPausedReason: "whatsapp_token_invalid" }] },
      data: { sendingPausedReason: "whatsapp_disconnected", sendingPausedAt: now },
    }),
  ]);
  return { ok: true, notUndone };
}
