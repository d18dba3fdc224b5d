import type { RemotePhoneNumber, WhatsAppClient } from "../whatsapp/client.server";
import { TOKEN_INVALID, WhatsAppApiError, WhatsAppUnreachable } from "../whatsapp/errors";
import { readableError } from "../i18n/whatsapp-errors";
import type { FieldErrors } from "./form-errors";

/**
 * Before a connection is saved, Meta confirms the ids the merchant typed: the access token reads
 * the WhatsApp Business Account, and the phone number is one of that account's numbers. Without
 * this a merchant could save any shop's phone number id and receive that shop's deliveries.
 * GET /{waba-id}/phone_numbers lists the account's numbers:
 * https://developers.facebook.com/docs/whatsapp/business-management-api/manage-phone-numbers
 * Graph errors: https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
export type NumberCheck = { ok: true; number: RemotePhoneNumber } | { ok: false; errors: FieldErrors };

/** Graph errors that mean "this token may not read this object": unknown id (100/33), permissions. */
const CANNOT_READ_ACCOUNT = new Set([3, 10, 100, 200]);

export async function checkNumberWithMeta(
  client: WhatsAppClient,
  input: { phoneNumberId: string; businessAccountId: string; accessToken: string },
): Promise<NumberCheck> {
  let numbers: RemotePhoneNumber[];
  try {
    numbers = await client.listPhoneNumbers({ businessAccountId: input.businessAccountId, accessToken: input.accessToken });
  } catch (error) {
    return { ok: false, errors: refusal(error) };
  }
  const number = numbers.find((n) => n.id === input.phoneNumberId);
  if (!number) return { ok: false, errors: { phoneNumberId: "This phone number ID is not in that WhatsApp Business account" } };
  return { ok: true, number };
}

function refusal(error: unknown): FieldErrors {
  if (error instanceof WhatsAppUnreachable || (error instanceof WhatsAppApiError && error.retryable)) {
    return { form: "WhatsApp could not be reached to check these details. Try again in a minute." };
  }
  if (!(error instanceof WhatsAppApiError)) throw error;
  if (error.code === TOKEN_INVALID) {
    return { accessToken: "Meta did not accept this access token: it is wrong, expired or revoked" };
  }
  if (CANNOT_READ_ACCOUNT.has(error.code)) {
    return {
      businessAccountId:
        "Meta says this access token cannot read that WhatsApp Business account. Check the account ID and that the token has the whatsapp_business_management permission.",
    };
  }
  return { form: readableError(error.code, error.title, error.details) };
}
