import type { Flow, TemplateCategory } from "@prisma/client";
import { FLOW_CATEGORY } from "../../outbox/flow-category";
import type { LanguageCopy } from "./copy";
import { de } from "./de";
import { en } from "./en";
import { es } from "./es";
import { fr } from "./fr";
import { it } from "./it";
import { ptBR } from "./pt-br";

/**
 * Rebound's template library: for every flow, the template it sends when the merchant configured
 * nothing (the default names of app/flows/settings/*.ts and app/consent/optin.server.ts), in six
 * languages, in the shape Meta's template creation takes. Each template's variables and buttons
 * are exactly what the flow's planner sends: body values in its order, the tracked link's token
 * as the suffix of URL button 0, the opt-in confirmation's payloads on quick replies 0 and 1.
 * Marketing templates end with a "Stop promotions" quick reply, which a send leaves unparametered.
 * https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates
 * https://developers.facebook.com/docs/whatsapp/message-templates/guidelines
 */
export const LIBRARY_LANGUAGES = ["en", "es", "de", "fr", "pt_BR", "it"] as const;
export type LibraryLanguage = (typeof LIBRARY_LANGUAGES)[number];

const COPY: Record<LibraryLanguage, LanguageCopy> = { en, es, de, fr, pt_BR: ptBR, it };

export type LibraryName = Exclude<keyof LanguageCopy, "stop">;

interface Definition {
  name: LibraryName;
  flow: Flow;
  /** Abandoned-cart step */
  step?: number;
  /** Sample values for {{1}}, {{2}}, ... that Meta's review reads (example.body_text) */
  examples: string[];
  /** URL button 0 ending in the tracked link's token */
  link: boolean;
}

export const DEFINITIONS: readonly Definition[] = [
  { name: "cart_reminder_1", flow: "abandoned_cart", step: 1, examples: ["Linen shirt and 1 more", "€75.00"], link: true },
  { name: "cart_reminder_2", flow: "abandoned_cart", step: 2, examples: ["Linen shirt and 1 more", "€75.00"], link: true },
  { name: "cart_reminder_3", flow: "abandoned_cart", step: 3, examples: ["Linen shirt and 1 more", "€75.00", "RB7K2M9QX4LA"], link: true },
  { name: "back_in_stock", flow: "back_in_stock", examples: ["Ethiopia Guji", "1 kg"], link: true },
  { name: "time_to_reorder", flow: "reorder", examples: ["Colombia Huila 250 g", "30"], link: true },
  { name: "you_may_also_like", flow: "upsell", examples: ["Pour-over dripper", "Ethiopia Guji 250 g"], link: true },
  { name: "store_offer", flow: "promotion", examples: ["15% off all beans this weekend", "Northside Coffee"], link: true },
  { name: "appointment_reminder", flow: "appointment", examples: ["Barista class", "Friday 12 June", "10:30"], link: false },
  { name: "optin_confirmation", flow: "optin_confirmation", examples: ["Northside Coffee"], link: false },
];

/** A template component as Meta's creation endpoint takes it. */
export interface TemplateComponent {
  type: "BODY" | "BUTTONS";
  text?: string;
  example?: { body_text: string[][] };
  buttons?: Array<{ type: "URL" | "QUICK_REPLY"; text: string; url?: string; example?: string[] }>;
}

export interface LibraryTemplate {
  name: LibraryName;
  language: LibraryLanguage;
  flow: Flow;
  category: TemplateCategory;
  components: TemplateComponent[];
}

/** The words a merchant may change: the body and each button's label, in order. */
export interface TemplateWords {
  body: string;
  buttons: string[];
}

export const isLibraryLanguage = (value: string): value is LibraryLanguage => (LIBRARY_LANGUAGES as readonly string[]).includes(value);
export const libraryDefinition = (name: string) => DEFINITIONS.find((d) => d.name === name);

/** The library's own words for a template in a language. */
export function libraryWords(name: LibraryName, language: LibraryLanguage): TemplateWords {
  const copy = COPY[language];
  const definition = libraryDefinition(name)!;
  if (name === "optin_confirmation") return { body: copy.optin_confirmation.body, buttons: [copy.optin_confirmation.yes, copy.optin_confirmation.no] };
  if (name === "appointment_reminder") return { body: copy.appointment_reminder.body, buttons: [] };
  const entry = copy[name];
  const buttons = definition.link ? [entry.button] : [];
  if (FLOW_CATEGORY[definition.flow] === "MARKETING") buttons.push(copy.stop);
  return { body: entry.body, buttons };
}

/** Tracked links are the app's /r/{token}: the button's URL is the app's origin and a variable. */
const linkUrl = (appUrl: string) => `${appUrl.replace(/\/$/, "")}/r/{{1}}`;

/** A library template with these words (the library's own by default), ready to submit. */
export function buildTemplate(name: LibraryName, language: LibraryLanguage, appUrl: string, words = libraryWords(name, language)): LibraryTemplate {
  const definition = libraryDefinition(name)!;
  const body: TemplateComponent = { type: "BODY", text: words.body };
  if (definition.examples.length > 0) body.example = { body_text: [definition.examples] };
  const buttons: NonNullable<TemplateComponent["buttons"]> = words.buttons.map((text, i) =>
    definition.link && i === 0
      ? { type: "URL", text, url: linkUrl(appUrl), example: [`${appUrl.replace(/\/$/, "")}/r/Xb7Qk2LmP9`] }
      : { type: "QUICK_REPLY", text },
  );
  const components: TemplateComponent[] = [body];
  if (buttons.length > 0) components.push({ type: "BUTTONS", buttons });
  return { name, language, flow: definition.flow, category: FLOW_CATEGORY[definition.flow], components };
}

/** Every template of the library in the given languages. */
export function libraryTemplates(languages: readonly LibraryLanguage[], appUrl: string): LibraryTemplate[] {
  return languages.flatMap((language) => DEFINITIONS.map((d) => buildTemplate(d.name, language, appUrl)));
}
