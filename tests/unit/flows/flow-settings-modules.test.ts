import { describe, expect, it } from "vitest";
import { FLOW_SETTINGS, defaultFlowConfig, validateFlowConfig, type ConfigurableFlow } from "../../../app/flows/settings";
import { templateValue, type FormReader } from "../../../app/flows/settings/fields";

const flows = Object.keys(FLOW_SETTINGS) as ConfigurableFlow[];

/** What a page shows for a config, as the browser posts it back. */
function formOf(flow: ConfigurableFlow): Map<string, string> {
  const config = defaultFlowConfig(flow) as Record<string, unknown>;
  const form = new Map<string, string>();
  const settings = FLOW_SETTINGS[flow];
  if (settings.singleTemplate) form.set("config.templateName", templateValue(String(config.templateName), String(config.language)));
  for (const field of settings.fields) form.set(`config.${field.key}`, config[field.key] == null ? "" : String(config[field.key]));
  if (flow === "abandoned_cart") {
    const steps = config.steps as Array<{ delayHours: number; templateName: string; language: string; discount: { kind: string; value: number; validHours: number } | null }>;
    form.set("stepCount", String(steps.length));
    steps.forEach((s, i) => {
      form.set(`config.steps.${i}.delayHours`, String(s.delayHours));
      form.set(`config.steps.${i}.templateName`, templateValue(s.templateName, s.language));
      form.set(`config.steps.${i}.discount.kind`, s.discount?.kind ?? "none");
      if (s.discount) {
        form.set(`config.steps.${i}.discount.value`, String(s.discount.value));
        form.set(`config.steps.${i}.discount.validHours`, String(s.discount.validHours));
      }
    });
  }
  if (flow === "appointment") {
    const reminders = config.reminders as Array<{ hoursBefore: number }>;
    form.set("reminderCount", String(reminders.length));
    reminders.forEach((r, i) => form.set(`config.reminders.${i}.hoursBefore`, String(r.hoursBefore)));
  }
  return form;
}

const reader = (form: Map<string, string>, errors: string[]): FormReader => ({
  text: (name) => (form.get(name) ?? "").trim(),
  number(name, optional) {
    const raw = (form.get(name) ?? "").trim();
    if (raw === "") {
      if (!optional) errors.push(name);
      return optional ? null : undefined;
    }
    return Number(raw);
  },
});

describe("each flow's settings module", () => {
  it.each(flows)("%s: every form field is a setting of its schema", (flow) => {
    const defaults = defaultFlowConfig(flow) as Record<string, unknown>;
    for (const field of FLOW_SETTINGS[flow].fields) expect(Object.keys(defaults)).toContain(field.key);
  });

  it.each(flows)("%s: the form of its defaults reads back as its defaults", (flow) => {
    const errors: string[] = [];
    const read = FLOW_SETTINGS[flow].readForm(reader(formOf(flow), errors));
    expect(errors).toEqual([]);
    expect(validateFlowConfig(flow, read)).toEqual({ ok: true, config: defaultFlowConfig(flow) });
  });

  it("names the field whose number is missing, on its config path", () => {
    const form = formOf("back_in_stock");
    form.set("config.validHours", "");
    const errors: string[] = [];
    FLOW_SETTINGS.back_in_stock.readForm(reader(form, errors));
    expect(errors).toEqual(["config.validHours"]);
  });

  it("keeps the page's lists within their limits whatever count is posted", () => {
    const form = formOf("abandoned_cart");
    form.set("stepCount", "9");
    expect(FLOW_SETTINGS.abandoned_cart.readForm(reader(form, [])).steps).toHaveLength(3);
    const appointment = formOf("appointment");
    appointment.set("reminderCount", "0");
    expect(FLOW_SETTINGS.appointment.readForm(reader(appointment, [])).reminders).toHaveLength(1);
  });
});
