import { randomBytes } from "node:crypto";

/**
 * How WhatsApp identifies the fake's users, as Meta documents it:
 * - the wa_id: the WhatsApp id Meta resolves for a number. The send answer's contacts[0].wa_id,
 *   `from` of a user's message and `recipient_id` of a status carry it. It can differ from the
 *   digits the business sent to (Brazil's ninth digit: +55 11 91234-5678 is wa_id 551112345678).
 * - the business-scoped user id (BSUID, "US.13491208655302741918"): `from_user_id` and the
 *   contact's `user_id` of a message, `recipient_user_id` of a status, `user_id` in
 *   user_preferences.
 * - a user who adopted a username may arrive without the number: no `from`, no contact `wa_id`.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/user_preferences
 */
export interface FakeIdentity {
  /** The wa_id Meta resolves for the number; default its digits */
  waId?: string;
  /** The user's business-scoped user id; none by default */
  bsuid?: string;
  /** The user adopted a username: Meta omits their number from messages and preferences */
  username?: string;
}

/** One user as the fake's webhooks and answers name them. */
export interface ResolvedIdentity {
  waId: string;
  bsuid: string | null;
  username: string | null;
}

/** A BSUID in Meta's shape: ISO country code, a period, digits. */
export function makeBsuid(country = "US"): string {
  return `${country}.${BigInt(`0x${randomBytes(8).toString("hex")}`).toString()}`;
}

export class FakeIdentities {
  private readonly byDigits = new Map<string, FakeIdentity>();

  set(phone: string, identity: FakeIdentity) {
    this.byDigits.set(digits(phone), identity);
  }

  /** The user behind a number the business sends to, or a wa_id Meta resolved. */
  of(phoneOrWaId: string): ResolvedIdentity {
    const key = digits(phoneOrWaId);
    const identity = this.byDigits.get(key) ?? [...this.byDigits.values()].find((i) => i.waId === key);
    return { waId: identity?.waId ?? key, bsuid: identity?.bsuid ?? null, username: identity?.username ?? null };
  }

  /** The sender fields of a user's message: `from` omitted for a username user. */
  messageSender(phone: string): { message: Record<string, unknown>; contact: Record<string, unknown> } {
    const who = this.of(phone);
    const message: Record<string, unknown> = {};
    const contact: Record<string, unknown> = { profile: { name: "Shopper" } };
    if (!who.username) {
      message.from = who.waId;
      contact.wa_id = who.waId;
    } else {
      contact.username = who.username;
    }
    if (who.bsuid) {
      message.from_user_id = who.bsuid;
      contact.user_id = who.bsuid;
    }
    return { message, contact };
  }

  /** The recipient fields of a status. */
  statusRecipient(to: string): Record<string, unknown> {
    const who = this.of(to);
    return { recipient_id: who.waId, ...(who.bsuid ? { recipient_user_id: who.bsuid } : {}) };
  }

  /** A user_preferences value: the shopper stopped or resumed marketing messages in WhatsApp. */
  preferenceValue(phone: string, value: "stop" | "resume", timestamp: number) {
    const who = this.of(phone);
    const ids = { ...(who.username ? {} : { wa_id: who.waId }), ...(who.bsuid ? { user_id: who.bsuid } : {}) };
    return {
      contacts: [{ profile: { name: "Shopper" }, ...ids }],
      user_preferences: [
        {
          ...ids,
          detail: value === "stop" ? "User requested to stop marketing messages" : "User requested to resume marketing messages",
          category: "marketing_messages",
          value,
          timestamp,
        },
      ],
    };
  }
}

const digits = (phone: string) => phone.replace(/^\+/, "");
