import type { ApiRefusal, MessageSender, SendFailure } from "../outbox/ports";
import type { WhatsAppClient } from "./client.server";
import { holdForSpam, loadCredentials, pauseForInvalidToken } from "./connection.server";
import { MARKETING_LIMIT, MARKETING_STOPPED, SPAM_RATE_LIMIT, TOKEN_INVALID, WhatsAppApiError, WhatsAppUnreachable } from "./errors";

const SIGNALS: Record<number, ApiRefusal["signal"]> = {
  [TOKEN_INVALID]: "token_invalid",
  [MARKETING_LIMIT]: "marketing_limit",
  [MARKETING_STOPPED]: "marketing_stopped",
  [SPAM_RATE_LIMIT]: "spam_limit",
};

/** A send's error as the outbox acts on it: Meta's refusal, no answer, or something unexpected. */
export function classifySendError(error: unknown): SendFailure {
  const message = error instanceof Error ? error.message.slice(0, 200) : "unknown error";
  if (error instanceof WhatsAppApiError) {
    const refusal: ApiRefusal = {
      code: error.code,
      title: error.title,
      details: error.details,
      merchantReason: error.merchantReason,
      retryable: error.retryable,
      signal: SIGNALS[error.code] ?? null,
    };
    return { refusal, transient: error.retryable, message };
  }
  return { refusal: null, transient: error instanceof WhatsAppUnreachable, message };
}

/**
 * The outbox's sender over the Cloud API client: each shop's connected number with its token,
 * Meta's errors classified, and a shop paused when Meta rejects its token. `client` is called on
 * first use, so a process that never sends never builds one.
 */
export function whatsAppSender(client: () => WhatsAppClient): MessageSender {
  return {
    async account(shop) {
      const credentials = await loadCredentials(shop);
      if (!credentials) return null;
      return {
        phoneNumberId: credentials.phoneNumberId,
        messagesPerSecond: credentials.messagesPerSecond,
        async send(message) {
          const sent = await client().sendTemplate(credentials, message);
          return { waMessageId: sent.waMessageId, waId: sent.waId };
        },
      };
    },
    classify: classifySendError,
    pauseShop: pauseForInvalidToken,
    holdNumber: holdForSpam,
  };
}
