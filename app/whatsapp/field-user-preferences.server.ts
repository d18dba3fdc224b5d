import prisma from "../db.server";
import { applyMarketingPreference } from "../consent/marketing-preferences.server";
import { identityHash } from "../consent/suppression.server";
import { applyOnce } from "./webhook-receipts.server";
import { firstIssue, type FieldHandler } from "./webhook-fields";
import { userPreferencesValueSchema, type InboundContact, type UserPreference } from "./webhook-payload";

/**
 * `user_preferences`: a shopper stopped or resumed marketing messages inside WhatsApp. Each
 * preference is applied once (Meta retries): its receipt is keyed on the number, the shopper
 * (as a keyed hash: receipts name nobody), the value and Meta's timestamp, and commits with the
 * consent change (app/consent/marketing-preferences.server.ts).
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/user_preferences
 */
export const userPreferencesField: FieldHandler = {
  field: "user_preferences",
  plan(raw) {
    const value = userPreferencesValueSchema.safeParse(raw);
    if (!value.success) return { ok: false, problem: firstIssue(value.error) };
    const phoneNumberId = value.data.metadata.phone_number_id;
    const contacts = value.data.contacts ?? [];
    return {
      ok: true,
      async apply() {
        const connection = await prisma.whatsAppConnection.findUnique({ where: { phoneNumberId }, select: { shop: true } });
        if (!connection) return; // a number no shop owns any more: acknowledge and drop
        for (const preference of value.data.user_preferences) {
          await applyPreference(connection.shop, phoneNumberId, preference, contacts);
        }
      },
    };
  },
};

async function applyPreference(shop: string, phoneNumberId: string, preference: UserPreference, contacts: InboundContact[]) {
  // Only marketing messages have a stop and a resume today; anything else is not ours to read.
  if (preference.category !== "marketing_messages") return;
  if (preference.value !== "stop" && preference.value !== "resume") return;
  const contact = contacts.find(
    (c) => (preference.wa_id && c.wa_id === preference.wa_id) || (preference.user_id && c.user_id === preference.user_id),
  );
  const waId = preference.wa_id ?? contact?.wa_id ?? null;
  const bsuid = preference.user_id ?? contact?.user_id ?? null;
  const seconds = Number(preference.timestamp);
  const who = bsuid ? identityHash(shop, "bsuid", bsuid) : identityHash(shop, "wa_id", waId ?? "");
  const value = preference.value;
  await applyOnce(`user_preferences:${phoneNumberId}:${who}:${value}:${seconds}`, shop, "user_preferences", (tx) =>
    applyMarketingPreference(tx, { shop, waId, bsuid, value, detail: preference.detail ?? null, at: new Date(seconds * 1000) }),
  );
}
