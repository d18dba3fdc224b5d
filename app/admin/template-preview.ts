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

export interface SampleValues {
  cartItemTitle: string | null;
  cartTotal: string | null;
  productTitle: string | null;
  variantTitle: string | null;
  otherProductTitle: string | null;
}

/**
 * The body parameters each flow's planner fills, in its documented order (app/flows/settings/<flow>.ts):
 * abandoned cart {{1}} item {{2}} total {{3}} discount code; back in stock {{1}} product
 * {{2}} variant; reorder {{1}} product {{2}} days; upsell {{1}} recommended {{2}} purchased;
 * appointment {{1}} item {{2}} date {{3}} time.
 */
export function previewValues(
  flow: string,
  sample: SampleValues,
  extra: { money: (amount: string) => string; discountCode: string; days: string; date: string; time: string },
): string[] {
  const product = sample.productTitle ?? "";
  switch (flow) {
    case "abandoned_cart":
      return [sample.cartItemTitle ?? product, sample.cartTotal ? extra.money(sample.cartTotal) : "", extra.discountCode];
    case "back_in_stock":
      return [product, sample.variantTitle ?? ""];
    case "reorder":
      return [product, extra.days];
    case "upsell":
      return [sample.otherProductTitle ?? product, product];
    case "appointment":
      return [product, extra.date, extra.time];
    default:
      return [product];
  }
}

/** The highest {{n}} in the BODY: how many body parameters a send must carry (Meta error 132000 otherwise). */
export function bodyPlaceholderCount(components: unknown): number {
  const list = (Array.isArray(components) ? components : []) as Component[];
  const body = list.find((c) => c.type?.toUpperCase() === "BODY");
  const numbers = [...(body?.text ?? "").matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1]));
  return numbers.length ? Math.max(...numbers) : 0;
}
