/**
 * Merchant-readable reasons for WhatsApp Cloud API error codes (Meta's "Error codes" reference
 * for the Cloud API). Unknown codes fall back to Meta's own title and details.
 */
const REASONS: Record<number, string> = {
  0: "WhatsApp could not check the access token. Reconnect WhatsApp in Settings.",
  3: "The access token is missing a permission WhatsApp needs.",
  10: "The access token is missing a permission WhatsApp needs.",
  190: "The access token expired or was revoked. Reconnect WhatsApp in Settings.",
  368: "WhatsApp temporarily blocked this number for policy violations.",
  130429: "Too many messages per second for this number. It will be retried.",
  130472: "WhatsApp held this message back as part of a Meta experiment.",
  131000: "WhatsApp had an unknown error. It will be retried.",
  131005: "WhatsApp refused access: check the token's permissions.",
  131008: "A required part of the message was missing.",
  131009: "A value in the message was not accepted.",
  131021: "The shopper's number is your business number.",
  131026: "The shopper's phone can't receive this message (no WhatsApp, old app, or terms not accepted).",
  131031: "Your WhatsApp Business account is locked.",
  131042: "There is a payment problem on your WhatsApp Business account.",
  131047: "More than 24 hours since the shopper last wrote: only templates can be sent.",
  131048: "WhatsApp limited this number because of spam reports.",
  131049: "WhatsApp held this marketing message to keep the shopper's experience healthy. Try again after 24 hours.",
  131050: "The shopper stopped marketing messages from your business.",
  131051: "This message type is not supported.",
  131056: "Too many messages to the same shopper in a short time.",
  132000: "The template expects a different number of values.",
  132001: "The template does not exist in this language. Sync templates.",
  132005: "The filled-in template text is too long.",
  132007: "The template breaks WhatsApp's formatting rules.",
  132012: "A template value has the wrong format.",
  132015: "The template is paused because of low quality.",
  132016: "The template was disabled because of low quality.",
};

export function readableError(code: number | null, title: string | null, details: string | null): string {
  if (code !== null && REASONS[code]) return REASONS[code];
  return [title, details].filter(Boolean).join(": ") || "WhatsApp did not say why.";
}
