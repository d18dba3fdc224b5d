import { z } from "zod";

/**
 * What every flow's settings module (this folder) builds on: the template fields, the discount,
 * and how a setting appears as a form field. Form field names are the config paths the schemas
 * report errors on ("config.delayMinutes"), so a 422 lands on its field. Runs in the browser
 * too (the settings page renders from it), so it imports nothing from the server.
 */
export const templateName = z
  .string()
  .trim()
  .regex(/^[a-z0-9_]{1,512}$/, "template names are lower case letters, digits and underscores");
export const language = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "language is a WhatsApp locale code such as en or pt_BR")
  .default("en");

export const discountSchema = z
  .object({
    kind: z.enum(["percentage", "fixed_amount"]).default("percentage"),
    /** Percent off (1-90) or an amount off in the shop's currency */
    value: z.number().positive("more than 0"),
    /** How long the unique code stays valid after it is created */
    validHours: z.number().int().min(1).max(24 * 30).default(48),
  })
  .refine((d) => d.kind !== "percentage" || (Number.isInteger(d.value) && d.value <= 90), {
    message: "a whole percentage up to 90",
    path: ["value"],
  });

export type FieldKind = "number" | "optionalNumber" | "text" | "optionalText" | "collection";

/** One setting shown as a form field named `config.<key>`; labels are in app/i18n/admin.ts. */
export interface FieldSpec<K extends string = string> {
  key: K;
  kind: FieldKind;
}

/** The template picker's value: one option per approved name and language. */
export const templateValue = (name: string, language: string) => `${name}|${language}`;

export const splitTemplate = (value: string) => {
  const [templateName = "", language = ""] = value.split("|");
  return { templateName, language };
};

/** Reads the settings page's form fields; a field that is not a number records its error. */
export interface FormReader {
  text(name: string): string;
  number(name: string, optional: boolean): number | null | undefined;
}

/** A list the page grows and shrinks sends its length; at least one entry, at most `max`. */
export function listLength(read: FormReader, name: string, max: number): number {
  return Math.min(max, Math.max(1, Number(read.text(name)) || 1));
}

/** The template picker and the flow's own fields, as the single-template flows' pages send them. */
export function readTemplateAndFields(read: FormReader, fields: readonly FieldSpec[]): Record<string, unknown> {
  const config: Record<string, unknown> = splitTemplate(read.text("config.templateName"));
  for (const field of fields) {
    const name = `config.${field.key}`;
    if (field.kind === "number" || field.kind === "optionalNumber") config[field.key] = read.number(name, field.kind === "optionalNumber");
    else config[field.key] = field.kind === "text" ? read.text(name) : read.text(name) || null;
  }
  return config;
}

/**
 * Configs the admin once stored in one shape for every flow ({ steps: [{ delayHours,
 * templateName, templateLanguage }], discount }), read into the flow's own fields by each module.
 */
export interface AdminShape {
  rest: Record<string, unknown>;
  /** The steps that name a template */
  steps: Array<Record<string, unknown>>;
  /** The first step's template, when there is one */
  template: { templateName?: unknown; language?: unknown };
  /** The first step's delay, in hours */
  hours: number | undefined;
  discount: { kind: string; value: number | undefined } | null;
}
