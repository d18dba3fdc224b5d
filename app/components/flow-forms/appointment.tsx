import { BlockStack, Box, Button, Card, InlineStack, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { FLOW_SETTINGS, MAX_APPOINTMENT_REMINDERS, type AppointmentConfig } from "../../flows/settings";
import { en, fill } from "../../i18n/admin";
import { useTemplateSettings } from "./single-template";
import { TemplateSettingsCard } from "./template-settings-card";
import { str, type FlowFormProps } from "./types";

const t = en.flow;
const { fields } = FLOW_SETTINGS.appointment;

/** Appointment reminders: one UTILITY template, the booking properties, and up to three reminders. */
export function AppointmentForm({ config, frame, ...props }: FlowFormProps<AppointmentConfig>) {
  const state = useTemplateSettings(config, fields, props.templates);
  const [reminders, setReminders] = useState<string[]>(() => config.reminders.map((r) => str(r.hoursBefore)));
  const { errors } = props;
  return frame({
    usesTemplates: true,
    preview: { template: state.template, discount: false, days: "" },
    fields: (
      <>
        <input type="hidden" name="reminderCount" value={reminders.length} />
        <TemplateSettingsCard {...props} {...state} fields={fields} onTemplateChange={state.setTemplate} />
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">{t.reminders}</Text>
            {errors["config.reminders"] ? <Text as="p" tone="critical">{errors["config.reminders"]}</Text> : null}
            {reminders.map((hours, i) => (
              <InlineStack key={i} gap="300" blockAlign="end" wrap={false}>
                <Box minWidth="240px">
                  <TextField label={fill(t.reminder, { n: i + 1 })} name={`config.reminders.${i}.hoursBefore`} type="number" autoComplete="off"
                    suffix="h" value={hours} onChange={(v) => setReminders((list) => list.map((r, j) => (j === i ? v : r)))}
                    error={errors[`config.reminders.${i}.hoursBefore`]} />
                </Box>
                {reminders.length > 1 ? (
                  <Button variant="plain" tone="critical" onClick={() => setReminders((list) => list.filter((_, j) => j !== i))}>
                    {t.removeStep}
                  </Button>
                ) : null}
              </InlineStack>
            ))}
            <Text as="p" tone="subdued" variant="bodySm">{t.hoursBeforeHelp}</Text>
            {reminders.length < MAX_APPOINTMENT_REMINDERS ? (
              <InlineStack>
                <Button onClick={() => setReminders((list) => [...list, str(Math.max(1, Math.round((Number(list[list.length - 1]) || 2) / 2)))])}>
                  {t.addReminder}
                </Button>
              </InlineStack>
            ) : null}
          </BlockStack>
        </Card>
      </>
    ),
  });
}
