import { templateValue } from "../../flows/settings/fields";
import { en } from "../../i18n/admin";
import { str, type TemplateChoice } from "./types";

/** The template picker's options: "choose" first, then each approved name and language. */
export function templateOptions(templates: TemplateChoice[]) {
  return [
    { label: en.flow.chooseTemplate, value: "" },
    ...templates.map((tpl) => ({ label: `${tpl.name} (${tpl.language})`, value: templateValue(tpl.name, tpl.language) })),
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
