import prisma from "../db.server";
import { handleInboundMessage } from "../consent/inbound.server";
import { applyStatusUpdate } from "./status-updates.server";
import { firstIssue, type FieldHandler } from "./webhook-fields";
import { messagesValueSchema, type InboundContact, type InboundWhatsAppMessage } from "./webhook-payload";

/** `messages`: delivery statuses of what Rebound sent, and shoppers' messages to the number. */
export const messagesField: FieldHandler = {
  field: "messages",
  plan(raw) {
    const value = messagesValueSchema.safeParse(raw);
    if (!value.success) return { ok: false, problem: firstIssue(value.error) };
    const phoneNumberId = value.data.metadata.phone_number_id;
    return {
      ok: true,
      async apply() {
        // The statement finds the shop by the number; a number no shop owns any more is dropped.
        // Statuses of one delivery are applied together (and in their order where they meet).
        await Promise.all((value.data.statuses ?? []).map((status) => applyStatusUpdate(phoneNumberId, status)));
        const messages = value.data.messages ?? [];
        if (messages.length === 0) return;
        const connection = await prisma.whatsAppConnection.findUnique({ where: { phoneNumberId }, select: { shop: true } });
        if (!connection) return; // a number no shop owns any more: acknowledge and drop
        const contacts = value.data.contacts ?? [];
        for (const message of messages) await receiveInbound(connection.shop, phoneNumberId, message, contacts);
      },
    };
  },
};

/**
 * Replies (STOP, START, the "Stop promotions" button) go to the consent module. No receipt: the
 * consent ledger records the message id in the same transaction as the change it makes, and a
 * message id already in the ledger changes nothing (app/consent/inbound.server.ts), so a retry
 * after a crash is applied and a retry after success is not.
 */
async function receiveInbound(shop: string, phoneNumberId: string, message: InboundWhatsAppMessage, contacts: InboundContact[]) {
  const buttonPayload = message.button?.payload ?? message.interactive?.button_reply?.id;
  const buttonText = message.button?.text ?? message.interactive?.button_reply?.title;
  // The message names its sender by wa_id (`from`) and BSUID (`from_user_id`), either may be
  // missing; the contact entry for the same sender can fill in the other.
  const contact =
    contacts.find((c) => (message.from && c.wa_id === message.from) || (message.from_user_id && c.user_id === message.from_user_id)) ??
    (contacts.length === 1 ? contacts[0] : undefined);
  await handleInboundMessage({
    shop,
    phoneNumberId,
    from: message.from ?? contact?.wa_id ?? null,
    bsuid: message.from_user_id ?? contact?.user_id ?? null,
    messageId: message.id,
    text: message.text?.body,
    buttonPayload,
    buttonText,
    at: new Date(Number(message.timestamp) * 1000),
  });
}
