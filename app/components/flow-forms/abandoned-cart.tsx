import { BlockStack, Button, Card, Divider, FormLayout, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { MAX_CART_STEPS, type AbandonedCartConfig } from "../../flows/settings";
import { en, fill } from "../../i18n/admin";
import { cartStepShape } from "../../flows/send-shape";
import { pickTemplate, templateOptions } from "./template-options";
import { str, type FlowFormProps } from "./types";

const t = en.flow;
type Step = { delayHours: string; template: string; discountKind: string; discountValue: string; discountValidHours: string };

/** Abandoned cart: up to three steps, each with its delay, template and optional discount. */
export function AbandonedCartForm({ config, frame, templates, category, errors, currency }: FlowFormProps<AbandonedCartConfig>) {
  const [steps, setSteps] = useState<Step[]>(() => {
    const pick = pickTemplate(templates);
    return config.steps.map((s) => ({
      delayHours: str(s.delayHours),
      template: pick(s.templateName, s.language),
      discountKind: s.discount?.kind ?? "none",
      discountValue: str(s.discount?.value),
      discountValidHours: str(s.discount?.validHours ?? 48),
    }));
  });
  const [previewStep, setPreviewStep] = useState(0);
  const updateStep = (i: number, patch: Partial<Step>) => setSteps((list) => list.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  return frame({
    usesTemplates: true,
    preview: {
      template: steps[Math.min(previewStep, steps.length - 1)]?.template ?? "",
      discount: !!steps[previewStep] && steps[previewStep].discountKind !== "none",
      days: "",
    },
    fields: (
      <>
        <input type="hidden" name="stepCount" value={steps.length} />
        <Card>
          <BlockStack gap="400">
            <Text as="h2" variant="headingMd">{t.steps}</Text>
            {errors["config.steps"] ? <Text as="p" tone="critical">{errors["config.steps"]}</Text> : null}
            {steps.map((step, i) => {
              const base = `config.steps.${i}`;
              return (
                <BlockStack gap="300" key={i}>
                  {i > 0 ? <Divider /> : null}
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h3" variant="headingSm">{fill(t.step, { n: i + 1 })}</Text>
                    {steps.length > 1 ? (
                      <Button variant="plain" tone="critical" onClick={() => { setSteps((list) => list.filter((_, j) => j !== i)); setPreviewStep(0); }}>
                        {t.removeStep}
                      </Button>
                    ) : null}
                  </InlineStack>
                  <FormLayout>
                    <FormLayout.Group>
                      <TextField label={t.delay} name={`${base}.delayHours`} type="number" autoComplete="off" value={step.delayHours}
                        onChange={(v) => updateStep(i, { delayHours: v })} helpText={i === 0 ? t.delayHelpFirst : t.delayHelpNext}
                        error={errors[`${base}.delayHours`]} />
                      <Select label={t.template} name={`${base}.templateName`} value={step.template}
                        options={templateOptions(templates, cartStepShape({ discount: step.discountKind !== "none" }), step.template)}
                        onChange={(v) => { updateStep(i, { template: v }); setPreviewStep(i); }}
                        helpText={fill(t.templateHelpFit, { category })}
                        error={errors[`${base}.templateName`] ?? errors[`${base}.language`]} />
                    </FormLayout.Group>
                    <FormLayout.Group>
                      <Select label={t.discountKind} name={`${base}.discount.kind`} value={step.discountKind}
                        options={[
                          { label: t.discountNone, value: "none" },
                          { label: t.discountPercentage, value: "percentage" },
                          { label: t.discountFixed, value: "fixed_amount" },
                        ]}
                        onChange={(v) => { updateStep(i, { discountKind: v }); setPreviewStep(i); }}
                        error={errors[`${base}.discount.kind`]} />
                      <TextField label={t.discountValue} name={`${base}.discount.value`} type="number" autoComplete="off"
                        suffix={step.discountKind === "fixed_amount" ? currency : "%"} disabled={step.discountKind === "none"}
                        value={step.discountValue} onChange={(v) => updateStep(i, { discountValue: v })}
                        error={errors[`${base}.discount.value`] ?? errors[`${base}.discount`]} />
                      <TextField label={t.discountValidHours} name={`${base}.discount.validHours`} type="number" autoComplete="off"
                        disabled={step.discountKind === "none"} value={step.discountValidHours} onChange={(v) => updateStep(i, { discountValidHours: v })}
                        error={errors[`${base}.discount.validHours`]} />
                    </FormLayout.Group>
                  </FormLayout>
                </BlockStack>
              );
            })}
            {steps.length < MAX_CART_STEPS ? (
              <InlineStack>
                <Button onClick={() => setSteps((list) => [...list, { delayHours: str((Number(list[list.length - 1]?.delayHours) || 1) * 3), template: "", discountKind: "none", discountValue: "", discountValidHours: "48" }])}>
                  {t.addStep}
                </Button>
              </InlineStack>
            ) : null}
          </BlockStack>
        </Card>
      </>
    ),
  });
}
