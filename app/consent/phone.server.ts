import { parsePhoneNumberWithError, ParseError, type CountryCode } from "libphonenumber-js/max";

/**
 * Phone numbers as WhatsApp addresses them: E.164 with the calling code kept apart, because the
 * shop's country eligibility list and Meta's "no marketing to +1" rule are decided per calling
 * code. The "max" metadata checks number ranges, not only lengths, so typos are refused here
 * rather than by a failed send later.
 */
export interface ParsedPhone {
  /** "+34612345678" */
  e164: string;
  /** "34" */
  callingCode: string;
  /** "ES"; null for non-geographic numbers */
  countryCode: string | null;
}

export class InvalidPhoneNumber extends Error {
  readonly code = "invalid_phone";
  constructor(public readonly reason: string) {
    super(`phone: ${reason}`);
    this.name = "InvalidPhoneNumber";
  }
}

const MAX_INPUT = 40;

function isCountryCode(value: string | undefined | null): value is CountryCode {
  return typeof value === "string" && /^[A-Z]{2}$/.test(value);
}

/**
 * Parses what a shopper typed (national or international form) with the country they picked as
 * the default region. Throws InvalidPhoneNumber naming the problem, never echoing the number.
 */
export function parsePhone(input: string, defaultCountry?: string | null): ParsedPhone {
  const raw = input.trim();
  if (raw.length === 0) throw new InvalidPhoneNumber("is required");
  if (raw.length > MAX_INPUT) throw new InvalidPhoneNumber("is too long");
  if (!/^[+0-9()\-.\s/]+$/.test(raw)) throw new InvalidPhoneNumber("contains characters a phone number cannot have");
  const country = defaultCountry?.toUpperCase();
  let parsed;
  try {
    parsed = parsePhoneNumberWithError(raw, isCountryCode(country) ? { defaultCountry: country } : undefined);
  } catch (error) {
    if (error instanceof ParseError) throw new InvalidPhoneNumber(`is not a phone number (${error.message.toLowerCase()})`);
    throw error;
  }
  if (!parsed.isValid()) throw new InvalidPhoneNumber("is not a valid number for its country");
  return {
    e164: parsed.number,
    callingCode: parsed.countryCallingCode,
    countryCode: parsed.country ?? null,
  };
}

/** WhatsApp's webhooks give `from` as digits without "+"; the contract passes E.164. Accept both. */
export function parseWhatsAppSender(from: string): ParsedPhone {
  const digits = from.trim().replace(/^\+/, "");
  if (!/^[0-9]{6,15}$/.test(digits)) throw new InvalidPhoneNumber("is not an E.164 number");
  return parsePhone(`+${digits}`);
}

/** For logs and admin lists: enough to recognise, not enough to dial. */
export function maskPhone(e164: string): string {
  if (e164.length <= 6) return "***";
  return `${e164.slice(0, 4)}${"*".repeat(e164.length - 6)}${e164.slice(-2)}`;
}
