import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Banner, BlockStack, Box, Button, Card, Checkbox, DataTable, Divider, FormLayout, InlineStack, Layout, Page, Select, Text, TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { authenticate } from "../shopify.server";
import { systemClock } from "../shared/clock";
import { FLOW_CATEGORY, isMerchantFlow } from "../admin/flow-catalog";
import {
  FLOW_FIELDS, INTERVAL_INTENT, INTERVAL_LIST_LIMIT, MAX_APPOINTMENT_REMINDERS, MAX_CART_STEPS, hasSingleTemplate, templateValue,
} from "../admin/flow-form";
import { loadCollectionChoices, loadFlowSettings, readFlowForm, saveFlowSettings } from "../admin/flow-settings.server";
import { loadPreviewSample } from "../admin/preview-sample.server";
import { loadStepResults } from "../admin/flow-results.server";
import type { ProductInterval } from "../admin/reorder-intervals";
import { listReorderIntervals, saveReorderInterval } from "../admin/reorder-intervals.server";
import { previewValues, renderTemplate } from "../admin/template-preview";
import { formatMoney } from "../components/money";
import { RouteError } from "../components/route-error";
import { en, fill } from "../i18n/admin";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const flow = params.flow ?? "";
  if (!isMerchantFlow(flow)) throw new Response("Not found", { status: 404 });
  const [settings, sample] = await Promise.all([loadFlowSettings(session.shop, flow), loadPreviewSample(session.shop)]);
  const collections = flow === "upsell" ? await loadCollectionChoices(admin, str(settings.config.fallbackCollectionId) || null) : null;
  const now = systemClock.now();
  const intervalSearch = new URL(request.url).searchParams.get("product")?.trim().slice(0, 100) ?? "";
  const intervals = flow === "reorder"
    ? await listReorderIntervals(session.shop, settings.config as { defaultDays: number; minSamples: number }, { search: intervalSearch })
    : null;
  const stepResults = flow === "abandoned_cart"
    ? await loadStepResults(session.shop, Array.isArray(settings.config.steps) ? settings.config.steps.length : 0, now)
    : null;
  return {
    settings, sample, collections, intervals, intervalSearch, stepResults, category: FLOW_CATEGORY[flow],
    previewAt: new Date(now.getTime() + 86_400_000).toISOString(),
  };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const flow = params.flow ?? "";
  if (!isMerchantFlow(flow)) throw new Response("Not found", { status: 404 });
  const form = await request.formData();
  if (form.get("intent") === INTERVAL_INTENT) {
    if (flow !== "reorder") throw new Response("Not found", { status: 404 });
    const saved = await saveReorderInterval(session.shop, form);
    if (saved.ok) return { intent: "interval" as const, ok: true as const, productId: saved.productId, errors: {} as Record<string, string> };
    if ("notFound" in saved) throw new Response("Not found", { status: 404 });
    return data({ intent: "interval" as const, ok: false as const, productId: saved.productId, errors: saved.errors }, { status: 422 });
  }
  const result = await saveFlowSettings(session.shop, flow, readFlowForm(flow, form));
  if (!result.ok) return data({ intent: "flow" as const, ok: false as const, errors: result.errors }, { status: 422 });
  return { intent: "flow" as const, ok: true as const, errors: {} as Record<string, string> };
};

const t = en.flow;
type Step = { delayHours: string; template: string; discountKind: string; discountValue: string; discountValidHours: string };
type StoredStep = {
  delayHours: number;
  templateName: string;
  language: string;
  discount: { kind: "percentage" | "fixed_amount"; value: number; validHours: number } | null;
};

const str = (v: unknown) => (v === null || v === undefined ? "" : String(v));

export default function FlowSettingsPage() {
  const { settings, sample, collections, intervals, intervalSearch, stepResults, category, previewAt } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  // An interval row submitted without JavaScript lands here; it belongs to its row, not the flow's form.
  const result = actionData?.intent === "flow" ? actionData : undefined;
  const intervalResult = actionData?.intent === "interval" ? actionData : undefined;
  const navigation = useNavigation();
  const errors: Record<string, string> = result?.errors ?? {};
  const flow = settings.flow;
  const config = settings.config;
  const approved = new Set(settings.templates.map((tpl) => templateValue(tpl.name, tpl.language)));
  // A default template name that is not approved in this shop starts unselected.
  const pick = (name: unknown, language: unknown) => {
    const value = templateValue(str(name), str(language));
    return approved.has(value) ? value : "";
  };

  const [enabled, setEnabled] = useState(settings.enabled);
  const [holdout, setHoldout] = useState(String(settings.holdoutPercent));
  const [steps, setSteps] = useState<Step[]>(() =>
    ((config.steps as StoredStep[] | undefined) ?? []).map((s) => ({
      delayHours: str(s.delayHours),
      template: pick(s.templateName, s.language),
      discountKind: s.discount?.kind ?? "none",
      discountValue: str(s.discount?.value),
      discountValidHours: str(s.discount?.validHours ?? 48),
    })),
  );
  const [template, setTemplate] = useState(() => pick(config.templateName, config.language));
  const [fields, setFields] = useState<Record<string, string>>(() =>
    Object.fromEntries((FLOW_FIELDS[flow] ?? []).map((f) => [f.key, str(config[f.key])])),
  );
  const [previewStep, setPreviewStep] = useState(0);
  const [reminders, setReminders] = useState<string[]>(() =>
    ((config.reminders as Array<{ hoursBefore: number }> | undefined) ?? []).map((r) => str(r.hoursBefore)),
  );
  const collectionOptions = [
    { label: t.noCollection, value: "" },
    ...(collections?.options ?? []).map((c) => ({ label: c.known ? c.title : fill(t.collectionUnknown, { id: c.id }), value: c.id })),
  ];

  const templateOptions = [
    { label: t.chooseTemplate, value: "" },
    ...settings.templates.map((tpl) => ({ label: `${tpl.name} (${tpl.language})`, value: templateValue(tpl.name, tpl.language) })),
  ];
  const categoryName = category.toLowerCase();
  const shownTemplate = flow === "abandoned_cart" ? steps[Math.min(previewStep, steps.length - 1)]?.template : template;
  const chosen = settings.templates.find((tpl) => templateValue(tpl.name, tpl.language) === shownTemplate);
  const at = new Date(previewAt);
  const values = previewValues(flow, sample, {
    money: (amount) => formatMoney(amount, sample.currency),
    discountCode: steps[previewStep] && steps[previewStep].discountKind !== "none" ? t.discountCodeSample : "",
    days: fields.defaultDays ?? "",
    date: at.toLocaleDateString("en", { dateStyle: "medium", timeZone: "UTC" }),
    time: "10:30",
  });
  const rendered = chosen ? renderTemplate(chosen.components, values) : null;
  const updateStep = (i: number, patch: Partial<Step>) => setSteps((list) => list.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const fieldError = (key: string) => errors[key];

  return (
    <Page title={en.flowNames[flow]} subtitle={en.flowDescriptions[flow]} backAction={{ content: en.flows.title, url: "/app/flows" }}>
      <Form method="post">
        <input type="hidden" name="enabled" value={enabled ? "true" : "false"} />
        <input type="hidden" name="stepCount" value={steps.length} />
        {flow === "appointment" ? <input type="hidden" name="reminderCount" value={reminders.length} /> : null}
        <Layout>
          <Layout.Section>
            <BlockStack gap="400">
              {result?.ok ? <Banner tone="success" title={t.saved} /> : null}
              {result && !result.ok ? (
                <Banner tone="critical" title={t.fixErrors}>
                  {unplaced(errors).map(([key, message]) => <p key={key}>{message}</p>)}
                </Banner>
              ) : null}
              <Card>
                <Checkbox label={t.enabled} helpText={t.enabledHelp} checked={enabled} onChange={setEnabled} error={errors.enabled} />
              </Card>
              {flow === "promotion" ? (
                <Card><Text as="p">{t.promotionNote}</Text></Card>
              ) : settings.templates.length === 0 ? (
                <Banner tone="warning">{fill(t.noTemplates, { category: categoryName })}</Banner>
              ) : null}
              {flow === "abandoned_cart" ? (
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
                                error={fieldError(`${base}.delayHours`)} />
                              <Select label={t.template} name={`${base}.templateName`} options={templateOptions} value={step.template}
                                onChange={(v) => { updateStep(i, { template: v }); setPreviewStep(i); }}
                                helpText={fill(t.templateHelp, { category: categoryName })}
                                error={fieldError(`${base}.templateName`) ?? fieldError(`${base}.language`)} />
                            </FormLayout.Group>
                            <FormLayout.Group>
                              <Select label={t.discountKind} name={`${base}.discount.kind`} value={step.discountKind}
                                options={[
                                  { label: t.discountNone, value: "none" },
                                  { label: t.discountPercentage, value: "percentage" },
                                  { label: t.discountFixed, value: "fixed_amount" },
                                ]}
                                onChange={(v) => { updateStep(i, { discountKind: v }); setPreviewStep(i); }}
                                error={fieldError(`${base}.discount.kind`)} />
                              <TextField label={t.discountValue} name={`${base}.discount.value`} type="number" autoComplete="off"
                                suffix={step.discountKind === "fixed_amount" ? sample.currency : "%"} disabled={step.discountKind === "none"}
                                value={step.discountValue} onChange={(v) => updateStep(i, { discountValue: v })}
                                error={fieldError(`${base}.discount.value`) ?? fieldError(`${base}.discount`)} />
                              <TextField label={t.discountValidHours} name={`${base}.discount.validHours`} type="number" autoComplete="off"
                                disabled={step.discountKind === "none"} value={step.discountValidHours} onChange={(v) => updateStep(i, { discountValidHours: v })}
                                error={fieldError(`${base}.discount.validHours`)} />
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
              ) : null}
              {hasSingleTemplate(flow) ? (
                <Card>
                  <BlockStack gap="400">
                    <Text as="h2" variant="headingMd">{t.settings}</Text>
                    <FormLayout>
                      <Select label={t.template} name="config.templateName" options={templateOptions} value={template} onChange={setTemplate}
                        helpText={fill(t.templateHelp, { category: categoryName })}
                        error={fieldError("config.templateName") ?? fieldError("config.language")} />
                      {(FLOW_FIELDS[flow] ?? []).map((f) => f.kind === "collection" ? (
                        <Select key={f.key} label={t.fields[f.key]?.label ?? f.key} helpText={collections?.failed ? t.collectionsUnavailable : t.fields[f.key]?.help}
                          name={`config.${f.key}`} options={collectionOptions} value={fields[f.key] ?? ""}
                          onChange={(v) => setFields((all) => ({ ...all, [f.key]: v }))} error={fieldError(`config.${f.key}`)} />
                      ) : (
                        <TextField key={f.key} label={t.fields[f.key]?.label ?? f.key} helpText={t.fields[f.key]?.help}
                          name={`config.${f.key}`} type={f.kind.endsWith("Number") || f.kind === "number" ? "number" : "text"} autoComplete="off"
                          value={fields[f.key] ?? ""} onChange={(v) => setFields((all) => ({ ...all, [f.key]: v }))}
                          error={fieldError(`config.${f.key}`)} />
                      ))}
                    </FormLayout>
                  </BlockStack>
                </Card>
              ) : null}
              {flow === "appointment" ? (
                <Card>
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd">{t.reminders}</Text>
                    {errors["config.reminders"] ? <Text as="p" tone="critical">{errors["config.reminders"]}</Text> : null}
                    {reminders.map((hours, i) => (
                      <InlineStack key={i} gap="300" blockAlign="end" wrap={false}>
                        <Box minWidth="240px">
                          <TextField label={fill(t.reminder, { n: i + 1 })} name={`config.reminders.${i}.hoursBefore`} type="number" autoComplete="off"
                            suffix="h" value={hours} onChange={(v) => setReminders((list) => list.map((r, j) => (j === i ? v : r)))}
                            error={fieldError(`config.reminders.${i}.hoursBefore`)} />
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
              ) : null}
              <Card>
                <TextField label={t.holdout} name="holdoutPercent" type="number" autoComplete="off" suffix="%" value={holdout}
                  onChange={setHoldout} helpText={t.holdoutHelp} error={errors.holdoutPercent} />
              </Card>
              <InlineStack align="end">
                <Button variant="primary" submit loading={navigation.state === "submitting"}>{t.save}</Button>
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
      {intervals || stepResults ? (
        <Box paddingBlockStart="400">
          <Layout>
            <Layout.Section>
              {intervals ? <IntervalsCard key={intervalSearch} intervals={intervals} search={intervalSearch} pageResult={intervalResult} /> : null}
              {stepResults ? <StepResultsCard {...stepResults} /> : null}
            </Layout.Section>
          </Layout>
        </Box>
      ) : null}
    </Page>
  );
}

type IntervalResult = { ok: boolean; productId: string; errors: Record<string, string> };

function IntervalsCard({ intervals, search, pageResult }: { intervals: ProductInterval[]; search: string; pageResult?: IntervalResult }) {
  const [term, setTerm] = useState(search);
  const scope = search
    ? fill(t.intervalsMatching, { q: search })
    : intervals.length >= INTERVAL_LIST_LIMIT ? fill(t.intervalsCapped, { n: INTERVAL_LIST_LIMIT }) : "";
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t.intervalsTitle}</Text>
        <Text as="p" tone="subdued">{`${t.intervalsHelp}${scope ? ` ${scope}` : ""}`}</Text>
        {/* A GET form of its own: searching reloads the list and never submits the flow's settings. */}
        <Form method="get" data-testid="reorder-interval-search">
          <InlineStack gap="200" blockAlign="end">
            <TextField label={t.intervalsSearch} name="product" value={term} onChange={setTerm} autoComplete="off" maxLength={100} />
            <Button submit>{t.intervalsSearchButton}</Button>
            {search ? <Button url="/app/flows/reorder" variant="plain">{t.intervalsShowAll}</Button> : null}
          </InlineStack>
        </Form>
        {intervals.length === 0 ? <Text as="p">{search ? fill(t.intervalsNoMatch, { q: search }) : t.intervalsEmpty}</Text> : null}
        {intervals.map((row, i) => (
          <BlockStack gap="300" key={row.productId}>
            {i > 0 ? <Divider /> : null}
            <IntervalRow row={row} pageResult={pageResult?.productId === row.productId ? pageResult : undefined} />
          </BlockStack>
        ))}
      </BlockStack>
    </Card>
  );
}

function IntervalRow({ row, pageResult }: { row: ProductInterval; pageResult?: IntervalResult }) {
  const fetcher = useFetcher<typeof action>();
  const [days, setDays] = useState(str(row.replenishmentDays));
  const outcome = (fetcher.state === "idle" ? fetcher.data : undefined) ?? pageResult;
  const submit = (value: string) =>
    fetcher.submit({ intent: INTERVAL_INTENT, productId: row.productId, replenishmentDays: value }, { method: "post" });
  const inUse = row.days === 1 ? t.intervalOneDay : fill(t.intervalDaysCount, { n: row.days });
  return (
    <fetcher.Form method="post" data-testid={`interval-${row.productId}`}>
      <input type="hidden" name="intent" value={INTERVAL_INTENT} />
      <input type="hidden" name="productId" value={row.productId} />
      <InlineStack gap="400" align="space-between" blockAlign="end" wrap={false}>
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">{row.title}</Text>
          <Text as="p" tone="subdued">
            {`${inUse} · ${fill(t.intervalSources[row.source], { n: row.samples })}`}
          </Text>
        </BlockStack>
        <InlineStack gap="200" blockAlign="end" wrap={false}>
          <Box width="160px">
            <TextField label={fill(t.intervalDays, { product: row.title })} labelHidden name="replenishmentDays" type="number"
              autoComplete="off" suffix={t.intervalSuffix} value={days} onChange={setDays}
              placeholder={String(row.days)} error={outcome && !outcome.ok ? outcome.errors.replenishmentDays : undefined} />
          </Box>
          <Button submit loading={fetcher.state !== "idle"} accessibilityLabel={`${t.intervalSave} ${row.title}`}>{t.intervalSave}</Button>
          {outcome?.ok ? <Text as="span" tone="success">{t.intervalSaved}</Text> : null}
          {row.replenishmentDays !== null ? (
            <Button variant="plain" onClick={() => { setDays(""); submit(""); }} accessibilityLabel={`${t.intervalClear} ${row.title}`}>
              {t.intervalClear}
            </Button>
          ) : null}
        </InlineStack>
      </InlineStack>
    </fetcher.Form>
  );
}

function StepResultsCard({ currency, steps }: { currency: string; steps: Array<{ step: number; sent: number; clicked: number; orders: number; revenue: string }> }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t.stepResultsTitle}</Text>
        <div data-testid="step-results">
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
            headings={[t.stepResultsMessage, t.stepResultsSent, t.stepResultsClicked, t.stepResultsOrders, t.stepResultsRevenue]}
            rows={steps.map((s) => [fill(t.step, { n: s.step }), s.sent, s.clicked, s.orders, formatMoney(s.revenue, currency)])}
          />
        </div>
      </BlockStack>
    </Card>
  );
}

// Shown above their list on the page, so not again in the banner.
const LIST_ERRORS = new Set(["config.steps", "config.reminders"]);

/** Errors on paths the form has no field for (the config itself, a hidden value) go in the banner. */
function unplaced(errors: Record<string, string>) {
  return Object.entries(errors).filter(
    ([key]) => !LIST_ERRORS.has(key) && (typeof document === "undefined" || !document.querySelector(`[name="${CSS.escape(key)}"]`)),
  );
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app/flows" notFound={en.flows.notFound} />;
}
