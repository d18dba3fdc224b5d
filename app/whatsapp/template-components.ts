import type { TemplateParams } from "../outbox/types";

/** The template components Meta expects for our parameters, in its documented order. */
export function templateComponents(params: TemplateParams) {
  const components: Array<Record<string, unknown>> = [];
  if (params.headerImageUrl) {
    components.push({ type: "header", parameters: [{ type: "image", image: { link: params.headerImageUrl } }] });
  }
  if (params.body && params.body.length > 0) {
    components.push({ type: "body", parameters: params.body.map((text) => ({ type: "text", text })) });
  }
  for (const button of [...(params.buttons ?? [])].sort((a, b) => a.index - b.index)) {
    components.push(
      button.type === "url"
        ? { type: "button", sub_type: "url", index: String(button.index), parameters: [{ type: "text", text: button.suffix }] }
        : { type: "button", sub_type: "quick_reply", index: String(button.index), parameters: [{ type: "payload", payload: button.payload }] },
    );
  }
  return components;
}
