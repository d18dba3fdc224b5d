import { z } from "zod";
import prisma from "../db.server";
import { encryptSecret } from "../security/encryption.server";
import { whatsAppClientFromEnv } from "../whatsapp/connection.server";
import { WhatsAppApiError, WhatsAppUnreachable } from "../whatsapp/errors";
import { newRegistrationPin, signupGraphFromEnv, type SignupGraph } from "../whatsapp/signup-graph.server";
import type { WhatsAppClient } from "../whatsapp/client.server";
import { readableError } from "../i18n/whatsapp-errors";
import { en, fill } from "../i18n/admin";
import { fieldErrors, type FieldErrors } from "./form-errors";
import { checkNumberWithMeta } from "./whatsapp-number-check.server";
import { CONNECTION_PAUSES, claimedElsewhere, isUniqueViolation, requestTemplateSync } from "./whatsapp-connection.server";

/**
 * Embedded Signup's server half (ADR 031). The admin sends the code FB.login returned and the ids
 * of the popup's session-info message; the server, with Rebound's one Meta app:
 *   1. exchanges the code for a business token (the code lives ~30 s and is good once),
 *   2. asks Meta, with that token, whether the number is one of the account's numbers,
 *   3. refuses a number another store has connected,
 *   4. subscribes the app to the account's webhooks, and registers the number with a new PIN,
 *   5. stores the token and the PIN encrypted, and asks for the account's templates.
 * A Graph error at any step saves nothing, and what steps 4 did is undone.
 */
const t = en.signup;

const signupForm = z.object({
  code: z.string().trim().min(1, t.missingCode).max(4000),
  phoneNumberId: z.string().trim().regex(/^\d{5,30}$/, t.badIds),
  businessAccountId: z.string().trim().regex(/^\d{5,30}$/, t.badIds),
});

export type SignupResult = { ok: true } | { ok: false; errors: FieldErrors };

const refused = (form: string): SignupResult => ({ ok: false, errors: { form } });

function graphRefusal(error: unknown, during: string): SignupResult {
  if (error instanceof WhatsAppUnreachable || (error instanceof WhatsAppApiError && error.retryable)) return refused(t.unreachable);
  if (!(error instanceof WhatsAppApiError)) throw error;
  return refused(fill(t.graphRefused, { step: during, reason: readableError(error.code, error.title, error.details) }));
}

export async function completeSignup(
  shop: string,
  form: Record<string, unknown>,
  now: Date,
  graph: SignupGraph | null = signupGraphFromEnv(),
  client: WhatsAppClient = whatsAppClientFromEnv(),
): Promise<SignupResult> {
  const parsed = signupForm.safeParse(form);
  if (!parsed.success) return { ok: false, errors: { form: Object.values(fieldErrors(parsed.error))[0] ?? t.badIds } };
  if (!graph) return refused(t.notConfigured);
  const { code, phoneNumberId, businessAccountId } = parsed.data;
  const existing = await prisma.whatsAppConnection.findUnique({ where: { shop } });
  if (existing && existing.phoneNumberId !== phoneNumberId) return refused(t.disconnectFirst);

  let accessToken: string;
  try {
    accessToken = await graph.exchangeCode(code);
  } catch (error) {
    if (error instanceof WhatsAppApiError && !error.retryable) return refused(t.codeRefused);
    return graphRefusal(error, t.stepCode);
  }
  const check = await checkNumberWithMeta(client, { phoneNumberId, businessAccountId, accessToken });
  if (!check.ok) return refused(check.errors.form ?? t.numberNotInAccount);
  if (await claimedElsewhere(shop, phoneNumberId)) return refused(t.claimed);

  // A reconnection of the same account keeps the subscription it already had when this fails.
  const undoSubscription = existing?.businessAccountId !== businessAccountId;
  try {
    await graph.subscribeApp(businessAccountId, accessToken);
  } catch (error) {
    return graphRefusal(error, t.stepSubscribe);
  }
  const pin = newRegistrationPin();
  try {
    await graph.registerNumber(phoneNumberId, accessToken, pin);
  } catch (error) {
    if (undoSubscription) await graph.unsubscribeApp(businessAccountId, accessToken).catch(() => undefined);
    return graphRefusal(error, t.stepRegister);
  }

  const fields = {
    phoneNumberId,
    businessAccountId,
    displayPhoneNumber: check.number.displayPhoneNumber,
    accessTokenEnc: encryptSecret(accessToken),
    registrationPinEnc: encryptSecret(pin),
    connectedVia: "signup" as const,
    status: "healthy" as const,
    statusReason: null,
  };
  try {
    await prisma.$transaction(async (tx) => {
      await tx.whatsAppConnection.upsert({ where: { shop }, create: { shop, ...fields }, update: fields });
      await requestTemplateSync(shop, now, tx);
      await tx.shop.updateMany({ where: { shop, sendingPausedReason: { in: CONNECTION_PAUSES } }, data: { sendingPausedReason: null, sendingPausedAt: null } });
    });
  } catch (error) {
    // Nothing was saved: take back what Meta was asked to do.
    await graph.deregisterNumber(phoneNumberId, accessToken).catch(() => undefined);
    if (undoSubscription) await graph.unsubscribeApp(businessAccountId, accessToken).catch(() => undefined);
    // Another store saved the same number between the check above and this write.
    if (isUniqueViolation(error) && (await claimedElsewhere(shop, phoneNumberId))) return refused(t.claimed);
    throw error;
  }
  return { ok: true };
}
