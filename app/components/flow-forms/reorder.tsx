import { FLOW_SETTINGS, type ReorderConfig } from "../../flows/settings";
import { useTemplateSettings } from "./single-template";
import { TemplateSettingsCard } from "./template-settings-card";
import type { FlowFormProps } from "./types";

const { fields } = FLOW_SETTINGS.reorder;

/** Time to reorder: the preview's {{2}} follows the default interval as it is typed. */
export function ReorderForm({ config, frame, ...props }: FlowFormProps<ReorderConfig>) {
  const state = useTemplateSettings(config, fields, props.templates);
  return frame({
    usesTemplates: true,
    preview: { template: state.template, discount: false, days: state.values.defaultDays },
    fields: <TemplateSettingsCard {...props} {...state} fields={fields} onTemplateChange={state.setTemplate} />,
  });
}
