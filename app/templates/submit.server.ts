import type { Prisma, TemplateCategory } from "@prisma/client";
import prisma from "../db.server";
import { env } from "../env.server";
import { enqueueTask } from "../tasks/queue.server";
import type { WhatsAppCredentials } from "../whatsapp/client.server";
import { TOKEN_INVALID, WhatsAppApiError } from "../whatsapp/errors";
import { createTemplate, TEMPLATE_BEING_DELETED_SUBCODE, TEMPLATE_EXISTS_SUBCODE } from "../whatsapp/template-api.server";
import { SYNC_TEMPLATES } from "../whatsapp/template-sync-task.server";
import { buildTemplate, DEFINITIONS, type LibraryLanguage, type LibraryName, type LibraryTemplate, type TemplateWords } from "./library";

/**
 * Submitting library templates to Meta for review. A row is written before the call (status
 * SUBMITTING) so a review webhook that arrives before Meta's answer finds the template; the
 * answer then sets Meta's id and status unless the webhook already moved it on. Meta's refusal
 * of the content is kept as REFUSED with Meta's words, for the merchant to fix and resubmit;
 * a name and language Meta already holds is read back by a template sync instead.
 */
export type SubmitOutcome = { outcome: "submitted"; status: string } | { outcome: "exists" } | { outcome: "refused"; reason: string };

/** Library statuses that mean "not at Meta yet": submitting them again is what the merchant asked. */
export const RESUBMITTABLE = ["REFUSED", "SUBMITTING"];

const CATEGORIES = new Set<string>(["MARKETING", "UTILITY", "AUTHENTICATION"]);
const appUrl = () => env().SHOPIFY_APP_URL;

export function libraryTemplate(name: LibraryName, language: LibraryLanguage, words?: TemplateWords): LibraryTemplate {
  return buildTemplate(name, language, appUrl(), words);
}

export async function submitTemplate(shop: string, credentials: WhatsAppCredentials, template: LibraryTemplate, now: Date): Promise<SubmitOutcome> {
  const key = { shop_name_language: { shop, name: template.name, language: template.language } };
  const components = template.components as unknown as Prisma.InputJsonValue;
  const fields = { status: "SUBMITTING", origin: "library", components, category: template.category, rejectedReason: null, submittedAt: now, syncedAt: now };
  await prisma.messageTemplate.upsert({ where: key, create: { shop, name: template.name, language: template.language, ...fields }, update: fields });
  const where = { shop, name: template.name, language: template.language };
  try {
    const created = await createTemplate(credentials, { name: template.name, language: template.language, category: template.category, components: template.components });
    const category = CATEGORIES.has(created.category) ? (created.category as TemplateCategory) : template.category;
    // A review webhook may already have moved it on; Meta's answer then only adds the id.
    await prisma.messageTemplate.updateMany({ where: { ...where, status: "SUBMITTING" }, data: { status: created.status, externalId: created.id, category } });
    await prisma.messageTemplate.updateMany({ where: { ...where, externalId: null }, data: { externalId: created.id } });
    return { outcome: "submitted", status: created.status };
  } catch (error) {
    if (error instanceof WhatsAppApiError && error.code === 100 && error.subcode === TEMPLATE_EXISTS_SUBCODE) {
      // Made in WhatsApp Manager, or submitted by an earlier try whose answer was lost: read it back.
      await prisma.messageTemplate.deleteMany({ where: { ...where, status: "SUBMITTING" } });
      await enqueueTask({ shop, kind: SYNC_TEMPLATES, dedupKey: `sync_templates:${now.toISOString().slice(0, 16)}` });
      return { outcome: "exists" };
    }
    if (error instanceof WhatsAppApiError && !error.retryable && error.code !== TOKEN_INVALID) {
      const reason =
        error.subcode === TEMPLATE_BEING_DELETED_SUBCODE
          ? "WhatsApp is still deleting an earlier template of this name and language; submit it again later."
          : [error.title, error.details].filter(Boolean).join(": ");
      await prisma.messageTemplate.updateMany({ where, data: { status: "REFUSED", rejectedReason: reason.slice(0, 500) } });
      return { outcome: "refused", reason };
    }
    // Unreachable, throttled or a bad token: the row stays SUBMITTING and is tried again.
    throw error;
  }
}

/** Library templates of these languages the shop has not had accepted by Meta yet. */
export async function missingTemplates(shop: string, languages: readonly LibraryLanguage[]): Promise<LibraryTemplate[]> {
  const rows = await prisma.messageTemplate.findMany({
    where: { shop, language: { in: [...languages] }, name: { in: DEFINITIONS.map((d) => d.name) } },
    select: { name: true, language: true, status: true },
  });
  const held = new Set(rows.filter((r) => !RESUBMITTABLE.includes(r.status)).map((r) => `${r.name}|${r.language}`));
  return languages.flatMap((language) =>
    DEFINITIONS.filter((d) => !held.has(`${d.name}|${language}`)).map((d) => libraryTemplate(d.name, language)),
  );
}
