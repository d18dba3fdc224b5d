import { FLOW_SETTINGS, type UpsellConfig } from "../../flows/settings";
import { useTemplateSettings } from "./single-template";
import { TemplateSettingsCard } from "./template-settings-card";
import type { FlowFormProps } from "./types";

const { fields } = FLOW_SETTINGS.upsell;

/** Cross-sell: one template, and the collection picker the loader fills from the Admin API. */
export function UpsellForm({ config, frame, ...props }: FlowFormProps<UpsellConfig>) {
  const state = useTemplateSettings(config, fields, props.templates);
  return frame({
    usesTemplates: true,
    preview: { template: state.template, discount: false, days: "" },
    fields: <TemplateSettingsCard {...props} {...state} fields={fields} onTemplateChange={state.setTemplate} />,
  });
}
