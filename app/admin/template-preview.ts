/**
 * Renders a WhatsApp template's components (Meta's message template format: HEADER, BODY,
 * FOOTER, BUTTONS with {{n}} placeholders) with sample values, for the live preview. Runs in
 * the browser as the merchant switches templates, so it must stay free of server imports.
 */
export interface RenderedTemplate {
  header: string | null;
  body: string;
  footer: string | null;
  buttons: string[];
}

interface Component {
  type?: string;
  format?: string;
  text?: string;
  buttons?: Array<{ text?: string }>;
}

export function renderTemplate(components: unknown, values: string[]): RenderedTemplate {
  const list = (Array.isArray(components) ? components : []) as Component[];
  const fill = (text: string) => text.replace(/\{\{\s*(\d+)\s*\}\}/g, (match, n) => values[Number(n) - 1] ?? match);
  const find = (type: string) => list.find((c) => c.type?.toUpperCase() === type);
  const header = find("HEADER");
  return {
    header: header?.text ? fill(header.text) : null,
    body: fill(find("BODY")?.text ?? ""),
    footer: find("FOOTER")?.text ?? null,
    buttons: (find("BUTTONS")?.buttons ?? []).map((b) => b.text ?? "").filter(Boolean),
  };
}
