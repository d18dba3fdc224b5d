import { Prisma, type ConnectionStatus } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";
import { decryptSecret, encryptSecret } from "../security/encryption.server";
import { enqueueTask, type TaskClient } from "../tasks/queue.server";
import { loadCredentials, pauseForInvalidToken, whatsAppClientFromEnv } from "../whatsapp/connection.server";
import { TOKEN_INVALID, WhatsAppApiError, WhatsAppUnreachable } from "../whatsapp/errors";
import { READ_SIGNALS } from "../whatsapp/signals-task.server";
import { SYNC_TEMPLATES } from "../whatsapp/template-sync-task.server";
import { readableError } from "../i18n/whatsapp-errors";
import { bodyPlaceholderCount } from "./template-preview";
import { fieldErrors, type FieldErrors } from "./form-errors";
import { checkNumberWithMeta } from "./whatsapp-number-check.server";

/**
 * The shop's WhatsApp Business number. The access token is write-only: stored as an encrypted
 * envelope, never returned to the browser; a blank field on update keeps the stored value. The
 * webhook's verify token is not the merchant's: it is set once on Rebound's Meta app (ADR 023).
 */
export interface ConnectionView {
  phoneNumberId: string;
  businessAccountId: string;
  displayPhoneNumber: string | null;
  status: ConnectionStatus;
  statusReason: string | null;
  /** Embedded Signup or the manual form: disconnecting undoes only what Rebound did. */
  connectedVia: "manual" | "signup";
  hasAccessToken: boolean;
  lastTestAt: string | null;
  /** Meta's quality rating of the number (GREEN, YELLOW, RED), when read */
  qualityRating: string | null;
  /** The last quality event Meta sent for the number (FLAGGED, UNFLAGGED, ...) */
  qualityEvent: string | null;
}

export async function loadConnection(shop: string): Promise<ConnectionView | null> {
  const row = await prisma.whatsAppConnection.findUnique({ where: { shop } });
  if (!row) return null;
  return {
    phoneNumberId: row.phoneNumberId,
    businessAccountId: row.businessAccountId,
    displayPhoneNumber: row.displayPhoneNumber,
    status: row.status,
    statusReason: row.statusReason,
    connectedVia: row.connectedVia,
    hasAccessToken: Boolean(row.accessTokenEnc),
    lastTestAt: row.lastTestAt?.toISOString() ?? null,
    qualityRating: row.qualityRating,
    qualityEvent: row.qualityEvent,
  };
}

const secret = z.string().trim().max(1000).optional().transform((s) => (s ? s : undefined));

const connectionForm = z.object({
  phoneNumberId: z.string().trim().regex(/^\d{5,30}$/, "Use the numeric phone number ID from WhatsApp Manager"),
  businessAccountId: z.string().trim().regex(/^\d{5,30}$/, "Use the numeric WhatsApp Business account ID"),
  displayPhoneNumber: z.string().trim().max(40).optional().transform((s) => s || null),
  accessToken: secret,
});

export type SaveConnectionResult = { ok: true } | { ok: false; errors: FieldErrors };

const CLAIMED = { phoneNumberId: "This number is connected to another store" };

/** Pauses a new connection or token ends; other pauses (uninstalled, ...) stay. */
export const CONNECTION_PAUSES = ["whatsapp_token_invalid", "whatsapp_disconnected"];

/**
 * Saves the connection once Meta confirmed the token reads the account and the number is one of
 * its numbers. A number connected to another store cannot be claimed: Meta's webhooks are routed
 * by phone number id (unique in the database too, for two stores saving at once). Meta is asked
 * first, so only someone holding a token for the number learns that another store has it.
 */
export async function saveConnection(shop: string, form: Record<string, unknown>, now: Date): Promise<SaveConnectionResult> {
  const parsed = connectionForm.safeParse(form);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const data = parsed.data;
  const existing = await prisma.whatsAppConnection.findUnique({ where: { shop } });
  if (!existing && !data.accessToken) return { ok: false, errors: { accessToken: "Enter the access token" } };
  const accessToken = data.accessToken ?? storedToken(existing!.accessTokenEnc);
  if (!accessToken) return { ok: false, errors: { accessToken: "Enter the access token again" } };

  const check = await checkNumberWithMeta(whatsAppClientFromEnv(), { phoneNumberId: data.phoneNumberId, businessAccountId: data.businessAccountId, accessToken });
  if (!check.ok) return check;
  if (await claimedElsewhere(shop, data.phoneNumberId)) return { ok: false, errors: CLAIMED };

  const secrets = {
    ...(data.accessToken ? { accessTokenEnc: encryptSecret(data.accessToken) } : {}),
  };
  const fields = {
    phoneNumberId: data.phoneNumberId,
    businessAccountId: data.businessAccountId,
    displayPhoneNumber: data.displayPhoneNumber ?? check.number.displayPhoneNumber,
  };
  const tokenChanged = Boolean(data.accessToken);
  try {
    await prisma.$transaction(async (tx) => {
      if (existing) {
        await tx.whatsAppConnection.update({
          where: { shop },
          data: {
            ...fields,
            ...secrets,
            ...(tokenChanged ? { status: "healthy", statusReason: null } : {}),
            // Another number typed in by hand is no longer the one Embedded Signup registered.
            ...(existing.phoneNumberId !== data.phoneNumberId ? { connectedVia: "manual", registrationPinEnc: null } : {}),
          },
        });
      } else {
        await tx.whatsAppConnection.create({
          data: { shop, ...fields, accessTokenEnc: secrets.accessTokenEnc!, status: "healthy" },
        });
      }
      // A new connection or token brings the account's templates in.
      if (tokenChanged || !existing) await requestTemplateSync(shop, now, tx);
      // A new token clears a pause caused by the old one being rejected or by a disconnect.
      if (tokenChanged) {
        await tx.shop.updateMany({
          where: { shop, sendingPausedReason: { in: CONNECTION_PAUSES } },
          data: { sendingPausedReason: null, sendingPausedAt: null },
        });
      }
    });
  } catch (error) {
    // Another store saved the same number between the check above and this write.
    if (isUniqueViolation(error) && (await claimedElsewhere(shop, data.phoneNumberId))) return { ok: false, errors: CLAIMED };
    throw error;
  }
  return { ok: true };
}

/** The stored token, or null when it cannot be decrypted any more (ENCRYPTION_KEYS changed). */
export function storedToken(envelope: string): string | null {
  try {
    return decryptSecret(envelope);
  } catch {
    return null;
  }
}

export async function claimedElsewhere(shop: string, phoneNumberId: string): Promise<boolean> {
  const owner = await prisma.whatsAppConnection.findUnique({ where: { phoneNumberId }, select: { shop: true } });
  return Boolean(owner && owner.shop !== shop);
}

export const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

const testForm = z.object({
  to: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, "Use an international number like +34612345678"),
  template: z.string().trim().min(1, "Choose a template"),
});

export type TestResult = { ok: true; messageId: string } | { ok: false; errors: FieldErrors };

/**
 * Sends one approved template to the merchant's own phone through the app's WhatsApp client,
 * proving the token, the number and the template together before any shopper is messaged.
 * Placeholders get a visible sample value: Meta refuses a template send whose parameter count
 * differs from the template's (error 132000).
 */
export async function sendTestMessage(shop: string, form: Record<string, unknown>, now: Date): Promise<TestResult> {
  const parsed = testForm.safeParse(form);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const credentials = await loadCredentials(shop);
  if (!credentials) return { ok: false, errors: { form: "Connect WhatsApp first" } };
  const [name, language] = parsed.data.template.split("|");
  const template = await prisma.messageTemplate.findFirst({ where: { shop, name, language, status: "APPROVED" } });
  if (!template) return { ok: false, errors: { template: "Choose an approved template" } };
  const placeholders = bodyPlaceholderCount(template.components);
  try {
    const sent = await whatsAppClientFromEnv().sendTemplate(credentials, {
      to: parsed.data.to,
      templateName: template.name,
      language: template.language,
      params: placeholders ? { body: Array.from({ length: placeholders }, (_, i) => `Test ${i + 1}`) } : {},
    });
    await prisma.whatsAppConnection.update({ where: { shop }, data: { lastTestAt: now } });
    return { ok: true, messageId: sent.waMessageId };
  } catch (error) {
    if (error instanceof WhatsAppApiError) {
      if (error.code === TOKEN_INVALID) await pauseForInvalidToken(shop, now);
      return { ok: false, errors: { form: readableError(error.code, error.title, error.details) } };
    }
    if (error instanceof WhatsAppUnreachable) return { ok: false, errors: { form: "WhatsApp could not be reached. Try again in a minute." } };
    throw error;
  }
}

/**
 * Asks for a fresh copy of the shop's templates from WhatsApp, and of what Meta says about the
 * number (messaging limit, quality, Marketing Messages API): both run as tasks.
 */
export async function requestTemplateSync(shop: string, now: Date, db: TaskClient = prisma): Promise<void> {
  // One sync per shop per minute is plenty; repeated clicks share it.
  const minute = Math.floor(now.getTime() / 60_000);
  await enqueueTask({ shop, kind: SYNC_TEMPLATES, dedupKey: `sync_templates:${minute}` }, db);
  await enqueueTask({ shop, kind: READ_SIGNALS, dedupKey: `read_signals:${minute}` }, db);
}
