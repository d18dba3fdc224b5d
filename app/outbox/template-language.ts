import type { Flow, TemplateCategory } from "@prisma/client";
import { FLOW_CATEGORY } from "./flow-category";
import { paramsShape, templateFits, type SendShape } from "./template-fit";
import type { ClaimedNotification, StoredTemplateParams } from "./types";

/**
 * The language a message goes out in, chosen when it is sent
 * (docs/decisions/033-templates-that-fit-in-the-shoppers-language.md): the shopper's, when the
 * shop has the same template approved in it, in the flow's category, fitting the message;
 * otherwise the language the message was planned in (a flow's configured language, the shop's).
 * The opt-in confirmation, planned in the shopper's language, falls back to the shop's primary
 * language and then English. Never nothing: when no candidate qualifies the planned language is
 * kept and the gate says why it cannot go.
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

/** Locales of the shopper and of the shop (Shop.primaryLocale), as stored. */
export interface Locales {
  shopper: string | null;
  shop: string | null;
}

/** Where a flow goes after the language it was planned in. */
function fallbacks(flow: Flow, locales: Locales): Array<string | null> {
  return flow === "optin_confirmation" ? [locales.shop ? whatsappLanguage(locales.shop) : null, "en"] : [];
}

/**
 * Fit answers per template version (a batch's read) and shape: a batch of 1,000 messages of one
 * flow checks each version once, not once per message.
 */
const fitted = new WeakMap<TemplateVersion, Map<string, boolean>>();
function fits(template: TemplateVersion, shape: SendShape): boolean {
  const key = `${shape.bodyVariables}:${shape.headerImage}:${shape.buttons.map((b) => `${b.index}${b.type}`).join(",")}`;
  let answers = fitted.get(template);
  if (!answers) fitted.set(template, (answers = new Map()));
  let answer = answers.get(key);
  if (answer === undefined) answers.set(key, (answer = templateFits(shape, template.components).length === 0));
  return answer;
}

export function sendLanguage(
  row: Pick<ClaimedNotification, "flow" | "templateLanguage" | "params">,
  locales: Locales,
  version: (language: string) => TemplateVersion | undefined,
): string {
  const candidates = [locales.shopper ? whatsappLanguage(locales.shopper) : null, row.templateLanguage, ...fallbacks(row.flow, locales)];
  let shape: SendShape | undefined;
  for (const language of candidates) {
    if (!language) continue;
    const template = version(language);
    if (!template || template.status !== "APPROVED" || template.category !== FLOW_CATEGORY[row.flow]) continue;
    shape ??= paramsShape((row.params ?? {}) as StoredTemplateParams);
    if (fits(template, shape)) return language;
  }
  return row.templateLanguage;
}
