import type { Notification } from "@prisma/client";
import type { StoredTemplateParams, TemplateParams } from "./types";

/**
 * What the dispatcher needs from other folders, as interfaces it owns. The implementations live
 * with what they know (the flows' state re-check, the WhatsApp client and connection, the
 * consent record) and are handed in by app/engine.server.ts, so the outbox imports none of
 * those folders and none of them is imported back (docs/decisions/026-outbox-owns-its-tables.md).
 */

/** Whether what a flow planned against still holds at send time. */
export type RecheckResult = { ok: true } | { ok: false; reason: string };

/** The columns of a message its flow's re-check reads. */
export type RecheckInput = Pick<
  Notification,
  "shop" | "flow" | "subscriberId" | "cartToken" | "variantId" | "orderId" | "campaignId" | "expiresAt"
>;

/** Answers for a batch of messages, in the order given; one message is a batch of one. */
export type FlowRecheck = (rows: RecheckInput[], now: Date) => Promise<RecheckResult[]>;

/** A template send as the outbox asks for it. */
export interface OutgoingMessage {
  /** E.164 with "+" */
  to: string;
  templateName: string;
  language: string;
  params: TemplateParams;
  viaMarketingApi: boolean;
  /** Meta returns it on status webhooks: the notification id */
  callbackData: string;
}

/** A shop's connected WhatsApp number, ready to send. */
export interface SendingAccount {
  phoneNumberId: string;
  messagesPerSecond: number;
  /** waId: the WhatsApp id Meta resolved for the recipient, when its answer named one */
  send(message: OutgoingMessage): Promise<{ waMessageId: string; waId?: string | null }>;
}

/** Meta's answer to a refused send, as the dispatcher acts on it. */
export interface ApiRefusal {
  code: number;
  title: string;
  details: string | null;
  /** What the merchant reads on the message */
  merchantReason: string;
  retryable: boolean;
  /** A refusal that says something about the shop or the shopper rather than this message */
  signal: "token_invalid" | "marketing_limit" | "marketing_stopped" | "spam_limit" | null;
}

/** Any error a send threw, classified. */
export interface SendFailure {
  /** Meta answered with an error; null when it did not answer or the error is not Meta's */
  refusal: ApiRefusal | null;
  /** Worth trying again: no answer at all, or a refusal Meta calls transient */
  transient: boolean;
  /** The error's own message, at most 200 characters */
  message: string;
}

export interface MessageSender {
  /** The shop's sending account; null when WhatsApp is not connected. Throws when the token cannot be read. */
  account(shop: string): Promise<SendingAccount | null>;
  classify(error: unknown): SendFailure;
  /** Meta rejected the shop's token: stop the shop's sending until the merchant reconnects. */
  pauseShop(shop: string, at: Date): Promise<void>;
  /** Meta's spam rate limit (131048): hold the shop's number; resolves to when it may send again. */
  holdNumber(shop: string, at: Date): Promise<Date>;
}

/** What Meta's refusals say about a shopper, kept with their consent for the gate's next read. */
export interface MarketingSignals {
  /** Meta's per-user marketing limit; resolves to when marketing may be tried again */
  limited(shop: string, subscriberId: string, at: Date): Promise<Date>;
  /** The shopper stopped marketing from this business inside WhatsApp */
  stopped(shop: string, subscriberId: string, at: Date): Promise<void>;
}

/** Everything the dispatcher is given at construction. */
export interface DispatcherDeps {
  recheck: FlowRecheck;
  /** The parameters to send for a stored message (derived link tokens filled in) */
  sendableParams(params: StoredTemplateParams, notificationId: string): TemplateParams;
  sender: MessageSender;
  marketing: MarketingSignals;
}
