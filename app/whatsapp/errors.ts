/**
 * WhatsApp Cloud API errors as typed values. Codes and their meaning follow Meta's error code
 * reference: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
 */

/** Worth trying again later: throughput limits and Meta's transient failures. */
const RETRYABLE = new Set([
  1, // API unknown
  2, // API service temporarily unavailable
  4, // too many API calls for the app
  80007, // WhatsApp Business Account rate limit
  130429, // throughput limit for the phone number reached
  131000, // something went wrong
  131016, // service temporarily unavailable
  131056, // too many messages to the same recipient in a short time (pair rate limit)
  133004, // server temporarily unavailable
]);

/** Explanations a merchant can act on, for errors that end a message. */
const REASONS: Record<number, string> = {
  10: "The app lacks permission for this WhatsApp number; reconnect WhatsApp.",
  100: "WhatsApp refused a parameter of the message.",
  190: "The WhatsApp access token expired or was revoked; reconnect WhatsApp.",
  200: "The app lacks permission for this WhatsApp Business account; reconnect WhatsApp.",
  368: "WhatsApp temporarily blocked this number for policy violations.",
  131008: "A parameter the template requires is missing.",
  131009: "A parameter value is not valid for this template.",
  131021: "The shopper's number is the store's own WhatsApp number.",
  131026: "WhatsApp could not deliver to this number (not on WhatsApp, or an outdated app).",
  131031: "The WhatsApp Business account is locked.",
  131042: "There is a payment problem on the WhatsApp Business account.",
  131045: "The WhatsApp number's registration certificate is not valid.",
  131048: "WhatsApp held the number because too many of its messages were blocked or reported as spam; it will be retried.",
  131047: "More than 24 hours passed since the shopper last wrote; only templates may be sent.",
  131049: "WhatsApp limited marketing messages to this shopper for now; it will be retried in a day.",
  131050: "The shopper stopped marketing messages from this store on WhatsApp.",
  131051: "WhatsApp does not support this message type.",
  131052: "WhatsApp could not download the header media.",
  131053: "WhatsApp could not use the header media (upload failed or wrong format).",
  132000: "The number of template parameters does not match the approved template.",
  132001: "The template does not exist in this language or is not approved.",
  132005: "The filled-in template text is too long.",
  132007: "The template's content breaks a WhatsApp policy.",
  132012: "A template parameter has the wrong format (text, image or button).",
  132015: "WhatsApp paused the template for low quality.",
  132016: "WhatsApp disabled the template for low quality.",
  133010: "The store's WhatsApp number is not registered with the Cloud API.",
};

export class WhatsAppApiError extends Error {
  readonly code: number;
  readonly title: string;
  readonly details: string | null;
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly subcode: number | null;

  constructor(input: { code: number; title: string; details?: string | null; httpStatus: number; subcode?: number | null }) {
    super(`WhatsApp error ${input.code}: ${input.title}`);
    this.name = "WhatsAppApiError";
    this.code = input.code;
    this.title = input.title;
    this.details = input.details ?? null;
    this.httpStatus = input.httpStatus;
    this.subcode = input.subcode ?? null;
    this.retryable = RETRYABLE.has(input.code) || input.httpStatus >= 500;
  }

  /** What the merchant reads on the message: Meta's meaning, not its raw wording. */
  get merchantReason(): string {
    return REASONS[this.code] ?? `WhatsApp refused the message (${this.code}: ${this.title}).`;
  }
}

/** The request never got an answer (connection refused, reset, timed out): always retryable. */
export class WhatsAppUnreachable extends Error {
  readonly retryable = true;
  constructor(cause: string) {
    super(`WhatsApp Cloud API unreachable: ${cause}`);
    this.name = "WhatsAppUnreachable";
  }
}

export const TOKEN_INVALID = 190;
export const MARKETING_LIMIT = 131049;
export const MARKETING_STOPPED = 131050;
/** Spam rate limit hit: too many of the number's messages were blocked or flagged as spam. */
export const SPAM_RATE_LIMIT = 131048;
