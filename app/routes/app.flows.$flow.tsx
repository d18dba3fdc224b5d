import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Banner, BlockStack, Box, Button, Card, Checkbox, Divider, FormLayout, InlineStack, Layout, Page, Select, Text, TextField,
} from "@shopify/polaris";
import { useMemo, useState } from "react";
import { authenticate } from "../shopify.server";
import { FLOW_CATEGORY, isMerchantFlow } from "../admin/flow-catalog";
import { DEFAULT_DELAY_HOURS, MAX_STEPS } from "../admin/flow-config";
import { loadFlowSettings, readFlowForm, saveFlowSettings } from "../admin/flow-settings.server";
import { loadPreviewSample } from "../admin/preview-sample.server";
import { renderTemplate } from "../admin/template-preview";
import { formatMoney } from "../components/money";
import { RouteError } from "../components/route-error";
import { en, fill } from "../i18n/admin";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const flow = params.flow ?? "";
  if (!isMerchantFlow(flow)) throw new Response("Not found", { status: 404 });
  const [settings, sample] = await Promise.all([loadFlowSettings(session.shop, flow), loadPreviewSample(session.shop, flow)]);
  return { settings, sample, category: FLOW_CATEGORY[flow] };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const flow = params.flow ?? "";
  if (!isMerchantFlow(flow)) throw new Response("Not found", { status: 404 });
  const result = await saveFlowSettings(session.shop, flow, readFlowForm(await request.formData()));
  if (!result.ok) return data({ ok: false as const, errors: result.errors }, { status: 422 });
  return { ok: true as const, errors: {} as Record<string, string> };
};

const t = en.flow;

export default function FlowSettingsPage() {
  const { settings, sample, category } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors: Record<string, string> = result?.errors ?? {};
  const saving = navigation.state === "submitting";

  const defaults = DEFAULT_DELAY_HOURS[settings.flow] ?? [1, 24, 72];
  const initialSteps = settings.config.steps.length
    ? settings.config.steps.map((s) => ({ delayHours: String(s.delayHours), template: `${s.templateName}|${s.templateLanguage}` }))
    : [{ delayHours: String(defaults[0]), template: "" }];
  const [enabled, setEnabled] = useState(settings.enabled);
  const [steps, setSteps] = useState(initialSteps);
  const [discountKind, setDiscountKind] = useState<string>(settings.config.discount.kind);
  const [discountValue, setDiscountValue] = useState(String(settings.config.discount.value || ""));
  const [holdout, setHoldout] = useState(String(settings.holdoutPercent));
  const [previewStep, setPreviewStep] = useState(0);

  const templateOptions = [
    { label: t.chooseTemplate, value: "" },
    ...settings.templates.map((tpl) => ({ label: `${tpl.name} (${tpl.language})`, value: `${tpl.name}|${tpl.language}` })),
  ];
  const categoryName = category.toLowerCase();
  const discountText =
    discountKind === "percentage" && discountValue ? `${discountValue}%` :
    discountKind === "fixed_amount" && discountValue ? formatMoney(discountValue, sample.currency) : "";
  const values = [
    sample.productTitle ?? "",
    sample.price ? formatMoney(sample.price, sample.currency) : "",
    sample.shopName,
    discountText,
  ];
  const shown = steps[Math.min(previewStep, steps.length - 1)];
  const template = settings.templates.find((tpl) => `${tpl.name}|${tpl.language}` === shown?.template);
  const rendered = useMemo(() => (template ? renderTemplate(template.components, values) : null), [template, values.join("\u0000")]);

  const updateStep = (i: number, patch: Partial<(typeof steps)[number]>) =>
    setSteps((list) => list.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  return (
    <Page
      title={en.flowNames[settings.flow]}
      subtitle={en.flowDescriptions[settings.flow]}
      backAction={{ content: en.flows.title, url: "/app/flows" }}
    >
      <Form method="post">
        <input type="hidden" name="enabled" value={enabled ? "true" : "false"} />
        <input type="hidden" name="stepCount" value={steps.length} />
        <Layout>
          <Layout.Section>
            <BlockStack gap="400">
              {result?.ok ? <Banner tone="success" title={t.saved} /> : null}
              {result && !result.ok ? <Banner tone="critical" title={t.fixErrors}>{errors.form ? <p>{errors.form}</p> : null}</Banner> : null}
              <Card>
                <Checkbox label={t.enabled} helpText={errors.enabled ?? t.enabledHelp} checked={enabled} onChange={setEnabled} error={errors.enabled} />
              </Card>
              <Card>
                <BlockStack gap="400">
                  <Text as="h2" variant="headingMd">{t.steps}</Text>
                  {settings.templates.length === 0 ? (
                    <Banner tone="warning">{fill(t.noTemplates, { category: categoryName })}</Banner>
                  ) : null}
                  {steps.map((step, i) => (
                    <BlockStack gap="300" key={i}>
                      {i > 0 ? <Divider /> : null}
                      <InlineStack align="space-between" blockAlign="center">
                        <Text as="h3" variant="headingSm">{fill(t.step, { n: i + 1 })}</Text>
                        {i > 0 ? (
                          <Button variant="plain" tone="critical" onClick={() => setSteps((list) => list.filter((_, j) => j !== i))}>
                            {t.removeStep}
                          </Button>
                        ) : null}
                      </InlineStack>
                      <FormLayout>
                        <FormLayout.Group>
                          <TextField
                            label={t.delay}
                            name={`steps.${i}.delayHours`}
                            type="number"
                            min={0}
                            autoComplete="off"
                            value={step.delayHours}
                            onChange={(v) => updateStep(i, { delayHours: v })}
                            helpText={i === 0 ? t.delayHelpFirst : t.delayHelpNext}
                            error={errors[`steps.${i}.delayHours`]}
                          />
                          <Select
                            label={t.template}
                            name={`steps.${i}.template`}
                            options={templateOptions}
                            value={step.template}
                            onChange={(v) => {
                              updateStep(i, { template: v });
                              setPreviewStep(i);
                            }}
                            helpText={fill(t.templateHelp, { category: categoryName })}
                            error={errors[`steps.${i}.template`]}
                          />
                        </FormLayout.Group>
                      </FormLayout>
                    </BlockStack>
                  ))}
                  {steps.length < MAX_STEPS ? (
                    <InlineStack>
                      <Button onClick={() => setSteps((list) => [...list, { delayHours: String(defaults[list.length] ?? 24), template: "" }])}>
                        {t.addStep}
                      </Button>
                    </InlineStack>
                  ) : null}
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="400">
                  <Text as="h2" variant="headingMd">{t.discount}</Text>
                  <FormLayout>
                    <FormLayout.Group>
                      <Select
                        label={t.discountKind}
                        name="discountKind"
                        options={[
                          { label: t.discountNone, value: "none" },
                          { label: t.discountPercentage, value: "percentage" },
                          { label: t.discountFixed, value: "fixed_amount" },
                        ]}
                        value={discountKind}
                        onChange={setDiscountKind}
                        error={errors.discountKind}
                      />
                      <TextField
                        label={t.discountValue}
                        name="discountValue"
                        type="number"
                        min={0}
                        autoComplete="off"
                        disabled={discountKind === "none"}
                        value={discountValue}
                        onChange={setDiscountValue}
                        suffix={discountKind === "percentage" ? "%" : sample.currency}
                        error={errors.discountValue}
                      />
                    </FormLayout.Group>
                    <TextField
                      label={t.holdout}
                      name="holdoutPercent"
                      type="number"
                      min={0}
                      max={50}
                      autoComplete="off"
                      value={holdout}
                      onChange={setHoldout}
                      helpText={t.holdoutHelp}
                      error={errors.holdoutPercent}
                    />
                  </FormLayout>
                </BlockStack>
              </Card>
              <InlineStack align="end">
                <Button variant="primary" submit loading={saving}>{t.save}</Button>
              </InlineStack>
            </BlockStack>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t.preview}</Text>
                <Text as="p" tone="subdued" variant="bodySm">{t.previewSource[sample.source]}</Text>
                {rendered ? (
                  <div data-testid="message-preview">
                    <Box background="bg-surface-success" padding="300" borderRadius="300">
                      <BlockStack gap="200">
                        {rendered.header ? <Text as="p" fontWeight="bold">{rendered.header}</Text> : null}
                        <Text as="p"><span style={{ whiteSpace: "pre-wrap" }}>{rendered.body}</span></Text>
                        {rendered.footer ? <Text as="p" tone="subdued" variant="bodySm">{rendered.footer}</Text> : null}
                      </BlockStack>
                    </Box>
                    {rendered.buttons.length ? (
                      <Box paddingBlockStart="200">
                        <BlockStack gap="100">
                          {rendered.buttons.map((b) => (
                            <Box key={b} background="bg-surface" borderColor="border" borderWidth="025" borderRadius="200" padding="200">
                              <Text as="p" alignment="center" tone="magic">{b}</Text>
                            </Box>
                          ))}
                        </BlockStack>
                      </Box>
                    ) : null}
                  </div>
                ) : (
                  <Text as="p" tone="subdued">{t.previewEmpty}</Text>
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
        </Layout>
      </Form>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app/flows" notFound={en.flows.notFound} />;
}
