import { BlockStack, Card, FormLayout, Select, Text, TextField } from "@shopify/polaris";
import type { FieldSpec } from "../../flows/settings/fields";
import { en, fill } from "../../i18n/admin";
import { templateOptions } from "./template-options";
import type { FlowFormProps } from "./types";

const t = en.flow;

/**
 * The card of a flow that sends one template: the picker and the flow's own fields, rendered
 * from the field descriptions of its settings module.
 */
export function TemplateSettingsCard<K extends string>(props: {
  fields: readonly FieldSpec<K>[];
  values: Record<K, string>;
  onChange: (key: K, value: string) => void;
  template: string;
  onTemplateChange: (value: string) => void;
} & Pick<FlowFormProps<unknown>, "templates" | "category" | "errors" | "collections" | "shape">) {
  const { fields, values, onChange, template, onTemplateChange, templates, category, errors, collections, shape } = props;
  const collectionOptions = [
    { label: t.noCollection, value: "" },
    ...(collections?.options ?? []).map((c) => ({ label: c.known ? c.title : fill(t.collectionUnknown, { id: c.id }), value: c.id })),
  ];
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">{t.settings}</Text>
        <FormLayout>
          <Select label={t.template} name="config.templateName" options={templateOptions(templates, shape, template)} value={template}
            onChange={onTemplateChange} helpText={fill(t.templateHelpFit, { category })}
            error={errors["config.templateName"] ?? errors["config.language"]} />
          {fields.map((f) => f.kind === "collection" ? (
            <Select key={f.key} label={t.fields[f.key]?.label ?? f.key} helpText={collections?.failed ? t.collectionsUnavailable : t.fields[f.key]?.help}
              name={`config.${f.key}`} options={collectionOptions} value={values[f.key] ?? ""}
              onChange={(v) => onChange(f.key, v)} error={errors[`config.${f.key}`]} />
          ) : (
            <TextField key={f.key} label={t.fields[f.key]?.label ?? f.key} helpText={t.fields[f.key]?.help}
              name={`config.${f.key}`} type={f.kind.endsWith("Number") || f.kind === "number" ? "number" : "text"} autoComplete="off"
              value={values[f.key] ?? ""} onChange={(v) => onChange(f.key, v)}
              error={errors[`config.${f.key}`]} />
          ))}
        </FormLayout>
      </BlockStack>
    </Card>
  );
}
