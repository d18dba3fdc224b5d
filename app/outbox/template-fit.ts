import type { StoredTemplateParams } from "./types";

/**
 * Whether a WhatsApp template can carry what a message sends. Meta refuses a send whose
 * parameters differ from the template's (error 132000, "number of parameters does not match"),
 * so a template is checked against what its flow sends when the merchant picks it, and again
 * when the dispatcher swaps in a translation. Pure and browser-safe: the settings page marks
 * the templates that do not fit with the same function.
 *
 * Templates are read in Meta's component shape, as MessageTemplate.components stores it:
 * https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/components
 * Sends are built as in https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates
 */
export interface SendShape {
  /** Values sent for {{1}}..{{n}} in the body */
  bodyVariables: number;
  /** An image link is sent for an IMAGE header */
  headerImage: boolean;
  /** Button parameters sent, by the button's position in the template's BUTTONS component */
  buttons: Array<{ index: number; type: "url" | "quick_reply" }>;
}

/** The shape of a message's own parameters (a derived link token is a URL suffix too). */
export function paramsShape(params: StoredTemplateParams): SendShape {
  return {
    bodyVariables: params.body?.length ?? 0,
    headerImage: typeof params.headerImageUrl === "string" && params.headerImageUrl !== "",
    buttons: (params.buttons ?? []).map((b) => ({ index: b.index, type: b.type })).sort((a, b) => a.index - b.index),
  };
}

type Part = Record<string, unknown>;

const VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g;
/** The variables a text names: numbered ones ({{1}}) and named ones ({{first_name}}). */
function variables(text: unknown): { numbered: number[]; named: string[] } {
  const numbered = new Set<number>();
  const named = new Set<string>();
  for (const [, name] of String(text ?? "").matchAll(VARIABLE)) {
    if (/^\d+$/.test(name)) numbered.add(Number(name));
    else named.add(name);
  }
  return { numbered: [...numbered].sort((a, b) => a - b), named: [...named] };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
/** Button types whose send needs a parameter no flow fills (a coupon code, a catalogue, a code). */
const NEEDS_PARAMETER: Record<string, string> = {
  COPY_CODE: "copies a coupon code",
  OTP: "sends a one-time password",
  CATALOG: "opens a catalogue",
  MPM: "lists products",
};

/**
 * What stops a template from carrying a message of this shape, each as a sentence the merchant
 * can act on; an empty list means it fits.
 */
export function templateFits(shape: SendShape, components: unknown): string[] {
  const parts = (Array.isArray(components) ? components : []).filter((c): c is Part => !!c && typeof c === "object");
  const find = (type: string) => parts.find((c) => String(c.type).toUpperCase() === type);
  const problems: string[] = [];

  if (find("CAROUSEL")) problems.push("the template is a carousel, which the flow does not send");

  const header = find("HEADER");
  const format = String(header?.format ?? "").toUpperCase();
  if (shape.headerImage && format !== "IMAGE") {
    problems.push(header ? `the header is ${format.toLowerCase() || "text"}, the flow sends an image` : "no image header, the flow sends an image");
  } else if (!shape.headerImage && header) {
    if (["IMAGE", "VIDEO", "DOCUMENT", "LOCATION"].includes(format)) {
      problems.push(`the header needs ${format === "IMAGE" ? "an image" : `a ${format.toLowerCase()}`}, the flow sends none`);
    } else {
      const { numbered, named } = variables(header.text);
      if (numbered.length + named.length > 0) problems.push("the header has a variable, the flow sends none");
    }
  }

  const body = variables(find("BODY")?.text);
  if (body.named.length > 0) {
    problems.push(`the body uses named variables (${body.named.map((n) => `{{${n}}}`).join(", ")}), the flow fills numbered ones ({{1}}, {{2}}, ...)`);
  }
  if (body.numbered.length !== shape.bodyVariables) {
    problems.push(`body has ${plural(body.numbered.length, "variable")}, the flow sends ${shape.bodyVariables}`);
  } else if (body.numbered.some((n, i) => n !== i + 1)) {
    problems.push(`body variables are not numbered {{1}} to {{${shape.bodyVariables}}}`);
  }

  const buttons = ((find("BUTTONS")?.buttons as unknown[]) ?? []).map((b) => (b && typeof b === "object" ? (b as Part) : {}));
  const sentAt = new Map(shape.buttons.map((b) => [b.index, b.type]));
  for (const sent of shape.buttons) {
    const button = buttons[sent.index];
    const type = String(button?.type ?? "").toUpperCase();
    if (sent.type === "url" && (type !== "URL" || variables(button?.url).numbered.length === 0)) {
      problems.push(`no URL button with a variable at index ${sent.index}`);
    }
    if (sent.type === "quick_reply" && type !== "QUICK_REPLY") problems.push(`no quick reply button at index ${sent.index}`);
  }
  for (const [index, button] of buttons.entries()) {
    if (sentAt.has(index)) continue;
    const type = String(button.type ?? "").toUpperCase();
    if (type === "URL" && variables(button.url).numbered.length > 0) problems.push(`URL button ${index} has a variable, the flow sends no value for it`);
    else if (NEEDS_PARAMETER[type]) problems.push(`button ${index} ${NEEDS_PARAMETER[type]}, which the flow does not send`);
  }
  return problems;
}
