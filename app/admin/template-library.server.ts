import prisma from "../db.server";
import { whatsappLanguage } from "../outbox/template-language";
import { DEFINITIONS, isLibraryLanguage, LIBRARY_LANGUAGES, type LibraryLanguage } from "../templates/library";
import { editLibraryTemplate, libraryRows, submitLibraryTemplate, type TemplateActionResult } from "../templates/manage.server";
import { defaultLanguages, requestLibrarySubmission, submissionRunning } from "../templates/submit-task.server";

/** The templates page: the library in one language with the shop's state of each template. */
export async function loadTemplatesPage(shop: string, requested: string | null) {
  const [shopRow, connection, defaults, running] = await Promise.all([
    prisma.shop.findUnique({ where: { shop }, select: { primaryLocale: true } }),
    prisma.whatsAppConnection.findUnique({ where: { shop }, select: { shop: true } }),
    defaultLanguages(shop),
    submissionRunning(shop),
  ]);
  const primary = whatsappLanguage(shopRow?.primaryLocale ?? "en");
  const language: LibraryLanguage = requested && isLibraryLanguage(requested) ? requested : isLibraryLanguage(primary) ? primary : "en";
  const done = await prisma.messageTemplate.count({
    where: { shop, language: { in: defaults }, name: { in: DEFINITIONS.map((d) => d.name) }, status: { notIn: ["SUBMITTING", "REFUSED"] } },
  });
  return {
    language,
    languages: [...LIBRARY_LANGUAGES],
    defaults,
    connected: connection !== null,
    running,
    progress: { done, total: defaults.length * DEFINITIONS.length },
    rows: await libraryRows(shop, language),
  };
}

export type TemplatesActionResult = TemplateActionResult | { ok: true; status: "QUEUED" };

/** Submit all, submit one, or change the words of one; a bad form is a 400 that changes nothing. */
export async function runTemplatesAction(shop: string, form: Record<string, unknown>, now: Date): Promise<TemplatesActionResult> {
  const intent = String(form.intent ?? "");
  if (intent === "submit_all") {
    if (!(await prisma.whatsAppConnection.findUnique({ where: { shop }, select: { shop: true } }))) {
      return { ok: false, status: 409, error: "Connect WhatsApp first." };
    }
    const asked = String(form.languages ?? "").split(",").filter(Boolean);
    const chosen = await requestLibrarySubmission(shop, asked.length > 0 ? asked : await defaultLanguages(shop), now);
    if (chosen.length === 0) return { ok: false, status: 400, error: "Choose a language of the library." };
    return { ok: true, status: "QUEUED" };
  }
  const name = String(form.name ?? "");
  const language = String(form.language ?? "");
  if (intent === "submit") return submitLibraryTemplate(shop, name, language, null, now);
  if (intent === "edit") {
    const words = { body: String(form.body ?? ""), buttons: [0, 1, 2].map((i) => form[`button.${i}`]).filter((v) => v !== undefined).map(String) };
    return editLibraryTemplate(shop, name, language, words, now);
  }
  return { ok: false, status: 400, error: "Unknown action" };
}
