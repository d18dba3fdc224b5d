import { libraryWords, type LibraryLanguage, type LibraryName, type TemplateWords } from "./index";

/**
 * What a merchant may change in a library template: the words, never what the flow fills in.
 * The body keeps exactly the library's {{n}} variables (the planner sends that many values, in
 * that order), each button keeps its place and kind, and Meta's limits hold: a body of at most
 * 1,024 characters that neither starts nor ends with a variable, button labels of 1 to 25.
 * https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/components
 */
export type WordsCheck = { ok: true; words: TemplateWords } | { ok: false; errors: Record<string, string> };

const MAX_BODY = 1024;
const MAX_LABEL = 25;
const variables = (text: string) => [...text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1]));
const sameSet = (a: number[], b: number[]) => {
  const x = [...new Set(a)].sort((m, n) => m - n);
  const y = [...new Set(b)].sort((m, n) => m - n);
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

export function checkWords(name: LibraryName, language: LibraryLanguage, input: { body: unknown; buttons: unknown[] }): WordsCheck {
  const library = libraryWords(name, language);
  const errors: Record<string, string> = {};
  const body = String(input.body ?? "").replace(/\r\n/g, "\n").trim();
  const expected = variables(library.body);
  if (!body) errors.body = "Write the message";
  else if (body.length > MAX_BODY) errors.body = `At most ${MAX_BODY} characters`;
  else if (!sameSet(variables(body), expected)) errors.body = `Keep exactly the values ${[...new Set(expected)].sort((m, n) => m - n).map((n) => `{{${n}}}`).join(", ")}`;
  else if (/^\{\{\s*\d+\s*\}\}/.test(body) || /\{\{\s*\d+\s*\}\}$/.test(body)) errors.body = "Don't start or end the message with a value";
  else if (/\{\{(?!\d+\}\})|(?<!\{\{\d+)\}\}/.test(body)) errors.body = "Write values as {{1}}, {{2}}, ...";
  const buttons = library.buttons.map((_, i) => String(input.buttons[i] ?? "").trim());
  buttons.forEach((label, i) => {
    if (!label) errors[`button.${i}`] = "Write a label";
    else if (label.length > MAX_LABEL) errors[`button.${i}`] = `At most ${MAX_LABEL} characters`;
    else if (variables(label).length > 0) errors[`button.${i}`] = "Labels can't hold values";
  });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, words: { body, buttons } };
}
