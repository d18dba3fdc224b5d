import { FLOW_SETTINGS, type BackInStockConfig } from "../../flows/settings";
import { useTemplateSettings } from "./single-template";
import { TemplateSettingsCard } from "./template-settings-card";
import type { FlowFormProps } from "./types";

const { fields } = FLOW_SETTINGS.back_in_stock;

export function BackInStockForm({ config, frame, ...props }: FlowFormProps<BackInStockConfig>) {
  const state = useTemplateSettings(config, fields, props.templates);
  return frame({
    usesTemplates: true,
    preview: { template: state.template, discount: false, days: "" },
    fields: <TemplateSettingsCard {...props} {...state} fields={fields} onTemplateChange={state.setTemplate} />,
  });
}
