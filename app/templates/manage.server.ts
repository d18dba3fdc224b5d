import prisma from "../db.server";
import type { WhatsAppCredentials } from "../whatsapp/client.server";
import { loadCredentials, pauseForInvalidToken } from "../whatsapp/connection.server";
import { TOKEN_INVALID, WhatsAppApiError } from "../whatsapp/errors";
import { editTemplate } from "../whatsapp/template-api.server";
import { DEFINITIONS, isLibraryLanguage, libraryDefinition, libraryWords, type LibraryLanguage, type LibraryName, type TemplateWords } from "./library";
import { checkWords } from "./library/words";
import { libraryTemplate, RESUBMITTABLE, submitTemplate } from "./submit.server";

/**
 * The admin's actions on one library template: submit it (with the library's words or the
 * merchant's), or change the words of one Meta already holds. Meta lets an approved, rejected or
 * paused template be edited (an approved one once a day and ten times a month) and sends every
 * edit back to review; a pending one waits for its review, a disabled one cannot change.
 * https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates#edit-a-message-template
 */
export type TemplateActionResult =
  | { ok: true; status: string }
  | { ok: false; status: 400 | 404 | 409 | 502; error: string; fieldErrors?: Record<string, string> };

const EDITABLE = new Set(["APPROVED", "REJECTED", "PAUSED"]);

function target(name: string, language: string): { name: LibraryName; language: LibraryLanguage } | null {
  return libraryDefinition(name) && isLibraryLanguage(language) ? { name: name as LibraryName, language } : null;
}

function metaFailure(error: unknown): TemplateActionResult {
  if (error instanceof WhatsAppApiError) return { ok: false, status: 502, error: `WhatsApp refused it: ${error.details || error.title}` };
  return { ok: false, status: 502, error: "WhatsApp could not be reached. Try again in a moment." };
}

async function withCredentials(shop: string, now: Date, run: (credentials: WhatsAppCredentials) => Promise<TemplateActionResult>) {
  const credentials = await loadCredentials(shop);
  if (!credentials) return { ok: false as const, status: 409 as const, error: "Connect WhatsApp first." };
  try {
    return await run(credentials);
  } catch (error) {
    if (error instanceof WhatsAppApiError && error.code === TOKEN_INVALID) await pauseForInvalidToken(shop, now);
    return metaFailure(error);
  }
}

/** Submits one library template that Meta does not hold yet; with `words`, the merchant's. */
export async function submitLibraryTemplate(shop: string, name: string, language: string, rawWords: TemplateWords | null, now: Date): Promise<TemplateActionResult> {
  const t = target(name, language);
  if (!t) return { ok: false, status: 404, error: "There is no such library template." };
  let words: TemplateWords | undefined;
  if (rawWords) {
    const checked = checkWords(t.name, t.language, rawWords);
    if (!checked.ok) return { ok: false, status: 400, error: "Check the highlighted fields.", fieldErrors: checked.errors };
    words = checked.words;
  }
  const row = await prisma.messageTemplate.findUnique({ where: { shop_name_language: { shop, name, language } }, select: { status: true } });
  if (row && !RESUBMITTABLE.includes(row.status)) return { ok: false, status: 409, error: "WhatsApp already has this template." };
  return withCredentials(shop, now, async (credentials) => {
    const outcome = await submitTemplate(shop, credentials, libraryTemplate(t.name, t.language, words), now);
    if (outcome.outcome === "submitted") return { ok: true, status: outcome.status };
    if (outcome.outcome === "exists") return { ok: false, status: 409, error: "WhatsApp already has a template with this name and language; it is being read back." };
    return { ok: false, status: 400, error: `WhatsApp refused it: ${outcome.reason}` };
  });
}

/** New words for a library template Meta holds: sent as an edit, which Meta reviews again. */
export async function editLibraryTemplate(shop: string, name: string, language: string, rawWords: TemplateWords, now: Date): Promise<TemplateActionResult> {
  const t = target(name, language);
  if (!t) return { ok: false, status: 404, error: "There is no such library template." };
  const checked = checkWords(t.name, t.language, rawWords);
  if (!checked.ok) return { ok: false, status: 400, error: "Check the highlighted fields.", fieldErrors: checked.errors };
  const row = await prisma.messageTemplate.findUnique({ where: { shop_name_language: { shop, name, language } } });
  if (!row || RESUBMITTABLE.includes(row.status)) return submitLibraryTemplate(shop, name, language, checked.words, now);
  if (row.origin !== "library" || !row.externalId) return { ok: false, status: 409, error: "This template was made in WhatsApp Manager; change it there." };
  if (!EDITABLE.has(row.status)) return { ok: false, status: 409, error: row.status === "PENDING" ? "Wait for WhatsApp's review before changing it." : "WhatsApp no longer allows changes to this template." };
  const externalId = row.externalId;
  return withCredentials(shop, now, async (credentials) => {
    const { components } = libraryTemplate(t.name, t.language, checked.words);
    await editTemplate(credentials, externalId, components);
    await prisma.messageTemplate.updateMany({
      where: { shop, name, language },
      data: { components: components as unknown as object[], status: "PENDING", rejectedReason: null, submittedAt: now },
    });
    return { ok: true, status: "PENDING" };
  });
}

export interface LibraryRow {
  flow: string;
  name: LibraryName;
  language: LibraryLanguage;
  category: string;
  /** NOT_SUBMITTED, SUBMITTING, PENDING, APPROVED, REJECTED, REFUSED, PAUSED, DISABLED, ... */
  state: string;
  rejectedReason: string | null;
  quality: string | null;
  origin: string | null;
  /** The words now: the submitted ones, or the library's */
  words: TemplateWords;
  components: unknown;
  /** Sample values for the preview */
  examples: string[];
  step: number | null;
}

/** Every library template of a language with the shop's state of it, in flow order. */
export async function libraryRows(shop: string, language: LibraryLanguage): Promise<LibraryRow[]> {
  const rows = await prisma.messageTemplate.findMany({
    where: { shop, language, name: { in: DEFINITIONS.map((d) => d.name) } },
    select: { name: true, status: true, rejectedReason: true, quality: true, origin: true, components: true, category: true },
  });
  const byName = new Map(rows.map((r) => [r.name, r]));
  return DEFINITIONS.map((d) => {
    const row = byName.get(d.name);
    const template = libraryTemplate(d.name, language);
    return {
      flow: d.flow,
      name: d.name,
      language,
      category: row?.category ?? template.category,
      state: row?.status ?? "NOT_SUBMITTED",
      rejectedReason: row?.rejectedReason ?? null,
      quality: row?.quality ?? null,
      origin: row?.origin ?? null,
      words: row ? wordsOf(row.components) ?? libraryWords(d.name, language) : libraryWords(d.name, language),
      // A row synced without its components (none listed) previews the library's.
      components: Array.isArray(row?.components) && row.components.length > 0 ? row.components : template.components,
      examples: [...d.examples],
      step: d.step ?? null,
    };
  });
}

/** The body and button labels of stored components. */
function wordsOf(components: unknown): TemplateWords | null {
  const list = Array.isArray(components) ? (components as Array<{ type?: string; text?: string; buttons?: Array<{ text?: string }> }>) : [];
  const body = list.find((c) => c.type?.toUpperCase() === "BODY")?.text;
  if (!body) return null;
  const buttons = (list.find((c) => c.type?.toUpperCase() === "BUTTONS")?.buttons ?? []).map((b) => b.text ?? "");
  return { body, buttons };
}
