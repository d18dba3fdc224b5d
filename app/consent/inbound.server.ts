import type { ConsentKind } from "@prisma/client";
import prisma from "../db.server";
import { classifyReply } from "./keywords";
import { appendConsentEvent, lockSubscriber } from "./ledger.server";
import { applyConfirmedWidening } from "./widening.server";
import { recordOptOut, stopScheduledMessages } from "./opt-out.server";
import { restoreSuppression } from "./suppression.server";
import { InvalidPhoneNumber, parseWhatsAppSender } from "./phone.server";
import { attachIdentity, findByIdentity, lockIdentity, rememberIdentityStop } from "./identity.server";

/**
 * Consent changes that arrive as WhatsApp messages: STOP (in the shopper's language or the
 * "Stop promotions" quick reply), START, and the answer to the double opt-in confirmation.
 * WhatsApp's Business Messaging Policy says an opt-out request must be honoured, so it takes
 * effect in one transaction: ledger event, status `unsubscribed`, every scheduled message for
 * that shopper cancelled, waiting back-in-stock requests cancelled. The dispatcher's gate reads
 * the status too, so a message claimed a moment earlier is still stopped at send time.
 * The sender is found by wa_id, then phone, then business-scoped user id (identity.server.ts); a
 * STOP carrying only a BSUID no subscriber is known by is kept until the BSUID is tied to one.
 */
export interface InboundMessage {
  shop: string;
  phoneNumberId: string;
  /**
   * The sender's wa_id (digits, as Meta's webhook gives `from`; "+" accepted too). Absent when
   * the shopper adopted a WhatsApp username and Meta withheld their number.
   */
  from?: string | null;
  /** The sender's business-scoped user id (`from_user_id`) */
  bsuid?: string | null;
  messageId: string;
  text?: string;
  buttonPayload?: string;
  buttonText?: string;
  at: Date;
}

export type InboundAction = "opted_out" | "opted_in" | "ignored";

const ACTION_OF: Partial<Record<ConsentKind, InboundAction>> = {
  opt_out: "opted_out",
  confirmed: "opted_in",
  re_opt_in: "opted_in",
};

function senderPhone(from: string | null | undefined) {
  if (!from) return null;
  try {
    return parseWhatsAppSender(from);
  } catch (error) {
    if (error instanceof InvalidPhoneNumber) return null;
    throw error;
  }
}

export async function handleInboundMessage(input: InboundMessage): Promise<{ action: InboundAction }> {
  const intent = classifyReply(input);
  const waId = input.from ? input.from.trim().replace(/^\+/, "") : null;
  const bsuid = input.bsuid || null;
  const phone = senderPhone(waId);
  // A message that asks nothing may still tie a BSUID to a number the shop knows.
  if (intent === "none" && !(bsuid && waId)) return { action: "ignored" };
  if (!waId && !bsuid) return { action: "ignored" };

  return prisma.$transaction(async (tx) => {
    let subscriber = await findByIdentity(tx, input.shop, { waId, phone: phone?.e164, bsuid });
    if (!subscriber && bsuid) {
      // Waits for a webhook tying this BSUID to a subscriber right now, then looks again.
      await lockIdentity(tx, input.shop, bsuid);
      subscriber = await findByIdentity(tx, input.shop, { bsuid });
    }
    if (!subscriber) {
      // A STOP from someone we do not know yet is still remembered: if their number is later
      // imported or typed into a form, the ledger shows they asked not to be messaged.
      if (intent !== "stop") return { action: "ignored" as const };
      if (!phone) {
        if (!bsuid) return { action: "ignored" as const };
        // Only a BSUID: kept until a webhook ties it to a subscriber (identity.server.ts).
        await rememberIdentityStop(tx, input.shop, bsuid, { optedOutAt: input.at, messageId: input.messageId });
        return { action: "opted_out" as const };
      }
      subscriber = await tx.subscriber.upsert({
        where: { shop_phone: { shop: input.shop, phone: phone.e164 } },
        create: {
          shop: input.shop,
          phone: phone.e164,
          callingCode: phone.callingCode,
          countryCode: phone.countryCode,
          status: "unsubscribed",
        },
        update: {},
        select: { id: true },
      });
      await lockSubscriber(tx, input.shop, subscriber.id);
      // Erased after an earlier STOP: that one is the ledger's first event again.
      await restoreSuppression(tx, input.shop, subscriber.id, phone.e164);
    }
    await lockSubscriber(tx, input.shop, subscriber.id);
    await attachIdentity(tx, input.shop, subscriber.id, { waId, bsuid });
    if (intent === "none") return { action: "ignored" as const };

    // Meta delivers webhooks at least once; the same message id must not write twice.
    const replayed = await tx.consentEvent.findFirst({
      where: { shop: input.shop, subscriberId: subscriber.id, context: { path: ["messageId"], equals: input.messageId } },
      select: { kind: true },
    });
    if (replayed) return { action: ACTION_OF[replayed.kind] ?? ("ignored" as const) };

    const current = await tx.subscriber.findUniqueOrThrow({
      where: { id: subscriber.id },
      select: { status: true, scope: true, locale: true },
    });
    const proof = {
      shop: input.shop,
      subscriberId: subscriber.id,
      source: "whatsapp_reply" as const,
      text: (input.buttonText ?? input.text ?? input.buttonPayload ?? "").slice(0, 500),
      locale: current.locale,
      occurredAt: input.at,
      context: { messageId: input.messageId, phoneNumberId: input.phoneNumberId, intent },
    };

    if (intent === "stop") {
      const hadEvents = await tx.consentEvent.count({ where: { shop: input.shop, subscriberId: subscriber.id } });
      if (current.status === "unsubscribed" && hadEvents > 0) {
        // Already out; make sure nothing is left waiting, and record nothing new.
        await stopScheduledMessages(tx, input.shop, subscriber.id);
        return { action: "ignored" as const };
      }
      await recordOptOut(tx, { ...proof, at: input.at, scope: current.scope });
      return { action: "opted_out" as const };
    }

    if (current.status === "pending" && (intent === "confirm" || intent === "start")) {
      await appendConsentEvent(tx, { ...proof, kind: "confirmed", scope: current.scope });
      return { action: "opted_in" as const };
    }
    if (current.status === "subscribed" && (intent === "confirm" || intent === "start")) {
      // Their yes to a confirmation asking whether they want more than they had (widening.server.ts).
      const widened = await applyConfirmedWidening(tx, input.shop, subscriber.id, input.at, async (scope, wideningEventId) => {
        await appendConsentEvent(tx, { ...proof, kind: "confirmed", scope, context: { ...proof.context, wideningEventId } });
      });
      return { action: widened ? ("opted_in" as const) : ("ignored" as const) };
    }
    if (current.status === "unsubscribed" && intent === "start") {
      // Only the shopper's own request brings them back (Meta: honour opt-outs until they ask).
      await appendConsentEvent(tx, { ...proof, kind: "re_opt_in", scope: current.scope });
      return { action: "opted_in" as const };
    }
    return { action: "ignored" as const };
  });
}
