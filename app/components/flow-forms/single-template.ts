import { useState } from "react";
import type { FieldSpec } from "../../flows/settings/fields";
import { pickTemplate } from "./template-options";
import { str, type TemplateChoice } from "./types";

/** The state of a one-template flow's form: the chosen template and each field as typed. */
export function useTemplateSettings<C extends { templateName: string; language: string }, K extends keyof C & string>(
  config: C,
  fields: readonly FieldSpec<K>[],
  templates: TemplateChoice[],
) {
  const [template, setTemplate] = useState(() => pickTemplate(templates)(config.templateName, config.language));
  const [values, setValues] = useState(() => Object.fromEntries(fields.map((f) => [f.key, str(config[f.key])])) as Record<K, string>);
  const onChange = (key: K, value: string) => setValues((all) => ({ ...all, [key]: value }));
  return { template, setTemplate, values, onChange };
}
