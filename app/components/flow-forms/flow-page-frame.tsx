import { Form, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useState, type ReactNode } from "react";
import type { MerchantFlow } from "../../admin/flow-catalog";
import type { PreviewSample } from "../../admin/preview-sample.server";
import { previewValues, renderTemplate } from "../../admin/template-preview";
import { templateValue } from "../../flows/settings/fields";
import { en, fill } from "../../i18n/admin";
import { formatMoney } from "../money";
import type { FlowFormParts, TemplateChoice } from "./types";
import { TemplateBubble } from "../template-bubble";

const t = en.flow;

export interface FlowPageProps {
  flow: MerchantFlow;
  enabled: boolean;
  holdoutPercent: number;
  templates: TemplateChoice[];
  category: string;
  sample: PreviewSample;
  previewAt: string;
  /** The flow form's last submit: saved, or refused with errors */
  result: { ok: boolean; errors: Record<string, string> } | undefined;
  /** Cards below the form (reorder intervals, results by step) */
  after: ReactNode;
}

/** The page every flow shares around its own form: on/off, control group, save and the live preview. */
export function FlowPageFrame({ flow, parts, ...page }: FlowPageProps & { parts: FlowFormParts }) {
  const { result, templates, sample } = page;
  const navigation = useNavigation();
  const errors = result?.errors ?? {};
  const [enabled, setEnabled] = useState(page.enabled);
  const [holdout, setHoldout] = useState(String(page.holdoutPercent));
  const chosen = templates.find((tpl) => templateValue(tpl.name, tpl.language) === parts.preview.template);
  const at = new Date(page.previewAt);
  const values = previewValues(flow, sample, {
    money: (amount) => formatMoney(amount, sample.currency),
    discountCode: parts.preview.discount ? t.discountCodeSample : "",
    days: parts.preview.days,
    date: at.toLocaleDateString("en", { dateStyle: "medium", timeZone: "UTC" }),
    time: "10:30",
  });
  const rendered = chosen ? renderTemplate(chosen.components, values) : null;

  return (
    <Page title={en.flowNames[flow]} subtitle={en.flowDescriptions[flow]} backAction={{ content: en.flows.title, url: "/app/flows" }}>
      <Form method="post">
        <input type="hidden" name="enabled" value={enabled ? "true" : "false"} />
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
              {parts.usesTemplates && templates.length === 0 ? (
                <Banner tone="warning">{fill(t.noTemplates, { category: page.category })}</Banner>
              ) : null}
              {parts.fields}
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
                  <TemplateBubble rendered={rendered} testId="message-preview" />
                ) : (
                  <Text as="p" tone="subdued">{t.previewEmpty}</Text>
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
        </Layout>
      </Form>
      {page.after}
    </Page>
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
