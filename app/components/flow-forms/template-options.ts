import { templateValue } from "../../flows/settings/fields";
import { en, fill } from "../../i18n/admin";
import { templateFits, type SendShape } from "../../outbox/template-fit";
import { str, type TemplateChoice } from "./types";

/**
 * The template picker's options: "choose" first, then each approved name and language. With the
 * flow's send shape, a template that cannot carry what the flow sends says why and cannot be
 * picked (the save refuses it too); the current choice stays selectable so the page shows it.
 */
export function templateOptions(templates: TemplateChoice[], shape: SendShape | null = null, current = "") {
  return [
    { label: en.flow.chooseTemplate, value: "" },
    ...templates.map((tpl) => {
      const value = templateValue(tpl.name, tpl.language);
      const label = `${tpl.name} (${tpl.language})`;
      const misfit = shape ? templateFits(shape, tpl.components)[0] : undefined;
      return misfit
        ? { label: fill(en.flow.templateMisfit, { template: label, reason: misfit }), value, disabled: value !== current }
        : { label, value };
    }),
  ];
}

/** The stored template as a picker value; a default name that is not approved in this shop starts unselected. */
export function pickTemplate(templates: TemplateChoice[]) {
  const approved = new Set(templates.map((tpl) => templateValue(tpl.name, tpl.language)));
  return (name: unknown, language: unknown) => {
    const value = templateValue(str(name), str(language));
    return approved.has(value) ? value : "";
  };
}
