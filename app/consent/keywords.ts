/**
 * What a shopper's WhatsApp reply means for their consent. WhatsApp requires that a shopper can
 * stop messages from inside the chat; Meta's marketing templates add a "Stop promotions" quick
 * reply. Shoppers type the word in their own language, with accents, lower case, extra spaces
 * or punctuation, so matching is done on a normalised form.
 */
export type ReplyIntent = "stop" | "start" | "confirm" | "none";

const STOP_WORDS = [
  "STOP",
  "STOP PROMOTIONS",
  "STOP PROMOTION",
  "STOP ALL",
  "UNSUBSCRIBE",
  "OPT OUT",
  "OPTOUT",
  "CANCEL",
  "END",
  "QUIT",
  // Spanish
  "ALTO",
  "BAJA",
  "DAR DE BAJA",
  "DARME DE BAJA",
  "PARAR PROMOCIONES",
  "DETENER",
  "DETENER PROMOCIONES",
  "CANCELAR",
  // Portuguese
  "PARAR",
  "PARAR PROMOCOES",
  "SAIR",
  "CANCELAR INSCRICAO",
  "DESCADASTRAR",
  // Indonesian
  "BERHENTI",
  "BERHENTI PROMOSI",
  "STOP PROMOSI",
  // German
  "STOPP",
  "ABMELDEN",
  "STOPP WERBUNG",
  // French
  "ARRET",
  "ARRETER",
  "ARRETER PROMOTIONS",
  "ARRETER LES PROMOTIONS",
  "STOP PROMOZIONI",
  "DESABONNER",
  "DESINSCRIRE",
];

const START_WORDS = [
  "START",
  "UNSTOP",
  "SUBSCRIBE",
  "RESUME",
  "START PROMOTIONS",
  // Spanish
  "ALTA",
  "EMPEZAR",
  "REANUDAR",
  // Portuguese
  "INICIAR",
  "COMECAR",
  "VOLTAR",
  // Indonesian
  "MULAI",
  "BERLANGGANAN",
  // German
  "ANMELDEN",
  "STARTEN",
  // French
  "COMMENCER",
  "DEMARRER",
  "REPRENDRE",
];

/** Answers to the double opt-in confirmation, in the same languages as the storefront text. */
const CONFIRM_WORDS = ["YES", "Y", "CONFIRM", "SI", "SIM", "YA", "JA", "OUI", "CONFIRMAR", "KONFIRMASI", "BESTATIGEN", "CONFIRMER"];

/** Quick-reply payloads Rebound's own templates carry. */
export const STOP_PAYLOAD = "REBOUND_STOP";
export const CONFIRM_PAYLOAD = "REBOUND_CONFIRM_OPTIN";

const stopSet = new Set(STOP_WORDS);
const startSet = new Set(START_WORDS);
const confirmSet = new Set(CONFIRM_WORDS);

/** Upper case, accents removed, punctuation and emoji dropped, whitespace collapsed. */
export function normaliseReply(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toUpperCase()
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function classifyWords(text: string | undefined): ReplyIntent {
  if (!text) return "none";
  // Long messages are conversations, not commands; a keyword inside a sentence is not an order.
  if (text.length > 60) return "none";
  const words = normaliseReply(text);
  if (stopSet.has(words)) return "stop";
  if (startSet.has(words)) return "start";
  if (confirmSet.has(words)) return "confirm";
  return "none";
}

/**
 * A button payload is authoritative (the shopper tapped it); otherwise the button's label, then
 * the typed text. Meta's "Stop promotions" button arrives with that label as its text.
 */
export function classifyReply(input: { text?: string; buttonPayload?: string; buttonText?: string }): ReplyIntent {
  const payload = input.buttonPayload?.trim();
  if (payload === STOP_PAYLOAD) return "stop";
  if (payload === CONFIRM_PAYLOAD) return "confirm";
  const fromPayload = classifyWords(payload);
  if (fromPayload !== "none") return fromPayload;
  const fromButton = classifyWords(input.buttonText);
  if (fromButton !== "none") return fromButton;
  return classifyWords(input.text);
}
