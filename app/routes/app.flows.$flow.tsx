import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { Box, Layout } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { systemClock } from "../shared/clock";
import { FLOW_CATEGORY, isMerchantFlow } from "../admin/flow-catalog";
import { INTERVAL_INTENT } from "../admin/flow-form";
import { loadCollectionChoices, loadFlowSettings, readFlowForm, saveFlowSettings } from "../admin/flow-settings.server";
import { loadPreviewSample } from "../admin/preview-sample.server";
import { loadStepResults } from "../admin/flow-results.server";
import { listReorderIntervals, saveReorderInterval } from "../admin/reorder-intervals.server";
import { FLOW_FORMS, type FlowFormProps } from "../components/flow-forms";
import { flowSendShape } from "../flows/send-shape";
import { FlowPageFrame } from "../components/flow-forms/flow-page-frame";
import { IntervalsCard } from "../components/flow-forms/reorder-intervals-card";
import { StepResultsCard } from "../components/flow-forms/step-results-card";
import { RouteError } from "../components/route-error";
import { en } from "../i18n/admin";

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

const str = (v: unknown) => (v === null || v === undefined ? "" : String(v));

/** One flow's settings: the page frame, the flow's own form (app/components/flow-forms/) and its extra cards. */
export default function FlowSettingsPage() {
  const { settings, sample, collections, intervals, intervalSearch, stepResults, category, previewAt } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  // An interval row submitted without JavaScript lands here; it belongs to its row, not the flow's form.
  const result = actionData?.intent === "flow" ? actionData : undefined;
  const intervalResult = actionData?.intent === "interval" ? actionData : undefined;
  const { flow, templates } = settings;
  // The loader sends the config its flow's schema parsed; each form is typed with that flow's config.
  const FlowForm = FLOW_FORMS[flow] as (props: FlowFormProps<typeof settings.config>) => JSX.Element;
  const after = intervals || stepResults ? (
    <Box paddingBlockStart="400">
      <Layout>
        <Layout.Section>
          {intervals ? <IntervalsCard key={intervalSearch} intervals={intervals} search={intervalSearch} pageResult={intervalResult} /> : null}
          {stepResults ? <StepResultsCard {...stepResults} /> : null}
        </Layout.Section>
      </Layout>
    </Box>
  ) : null;
  return (
    <FlowForm
      config={settings.config}
      templates={templates}
      category={category.toLowerCase()}
      shape={flowSendShape(flow)}
      errors={result?.errors ?? {}}
      currency={sample.currency}
      collections={collections}
      frame={(parts) => (
        <FlowPageFrame flow={flow} parts={parts} enabled={settings.enabled} holdoutPercent={settings.holdoutPercent} templates={templates}
          category={category.toLowerCase()} sample={sample} previewAt={previewAt} result={result} after={after} />
      )}
    />
  );
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app/flows" notFound={en.flows.notFound} />;
}
