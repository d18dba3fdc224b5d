import type { Flow, TemplateCategory } from "@prisma/client";
import { FLOW_CATEGORY } from "./flow-category";
import { paramsShape, templateFits } from "./template-fit";
import type { ClaimedNotification, StoredTemplateParams } from "./types";

/**
 * The language a message goes out in, chosen when it is sent
 * (docs/decisions/033-templates-that-fit-in-the-shoppers-language.md): the shopper's, when the
 * shop has the same template approved in it, in the flow's category, fitting the message;
 * otherwise the language the flow was configured with (the shop's); for the opt-in confirmation
 * English after that. Never nothing: when no candidate qualifies the configured language is kept
 * and the gate says why it cannot go.
 */

/** WhatsApp template language codes for a storefront locale ("pt-BR" → "pt_BR", "es-ES" → "es"). */
export function whatsappLanguage(locale: string): string {
  const [language, region] = locale.replace("_", "-").split("-");
  if (language.toLowerCase() === "pt") return region?.toUpperCase() === "PT" ? "pt_PT" : "pt_BR";
  return language.toLowerCase();
}

/** One language's version of a template, as synced from Meta. */
export interface TemplateVersion {
  status: string;
  category: TemplateCategory;
  components: unknown;
}

/** The last resort of a flow after its configured language. */
const LAST_RESORT: Partial<Record<Flow, string>> = { optin_confirmation: "en" };

export function sendLanguage(
  row: Pick<ClaimedNotification, "flow" | "templateLanguage" | "params">,
  shopperLocale: string | null,
  version: (language: string) => TemplateVersion | undefined,
): string {
  const candidates = [shopperLocale ? whatsappLanguage(shopperLocale) : null, row.templateLanguage, LAST_RESORT[row.flow] ?? null];
  let shape: ReturnType<typeof paramsShape> | undefined;
  for (const language of candidates) {
    if (!language) continue;
    const template = version(language);
    if (!template || template.status !== "APPROVED" || template.category !== FLOW_CATEGORY[row.flow]) continue;
    shape ??= paramsShape((row.params ?? {}) as StoredTemplateParams);
    if (templateFits(shape, template.components).length === 0) return language;
  }
  return row.templateLanguage;
}
