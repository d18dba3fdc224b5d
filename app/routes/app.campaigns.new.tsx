import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, FormLayout, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useMemo, useState } from "react";
import { authenticate } from "../shopify.server";
import { systemClock } from "../shared/clock";
import { audienceProducts, createCampaign, estimateAudience, marketingTemplates, parseAudience } from "../admin/campaigns.server";
import { loadPreviewSample } from "../admin/preview-sample.server";
import { bodyPlaceholderCount, renderTemplate } from "../admin/template-preview";
import { formatMoney } from "../components/money";
import { RouteError } from "../components/route-error";
import { en, fill } from "../i18n/admin";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [templates, sample, products] = await Promise.all([
    marketingTemplates(session.shop),
    loadPreviewSample(session.shop),
    audienceProducts(session.shop),
  ]);
  return { templates, sample, products };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = Object.fromEntries(await request.formData());
  const now = systemClock.now();
  if (form.intent === "estimate") {
    const parsed = parseAudience(form);
    if (!parsed.ok) return data({ intent: "estimate" as const, count: null, errors: parsed.errors }, { status: 422 });
    return { intent: "estimate" as const, count: await estimateAudience(session.shop, parsed.audience, now), errors: {} as Record<string, string> };
  }
  const result = await createCampaign(session.shop, form, now);
  if (!result.ok) return data({ intent: "create" as const, count: null, errors: result.errors }, { status: 422 });
  return redirect(`/app/campaigns/${result.id}`);
};

const t = en.campaigns;

export default function NewCampaign() {
  const { templates, sample, products } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const estimate = useFetcher<typeof action>();
  const navigation = useNavigation();
  const errors: Record<string, string> = { ...(result?.errors ?? {}), ...(estimate.data?.errors ?? {}) };
  const [name, setName] = useState("");
  const [template, setTemplate] = useState("");
  const [lastOrderWithinDays, setLastOrder] = useState("");
  const [minSpent, setMinSpent] = useState("");
  const [countries, setCountries] = useState("");
  const [productId, setProductId] = useState("");
  const [scheduledAt, setScheduledAt] = useState("");
  const [body, setBody] = useState<Record<number, string>>({});
  const [link, setLink] = useState("");
  const chosen = templates.find((tpl) => `${tpl.name}|${tpl.language}` === template);
  const placeholders = chosen ? bodyPlaceholderCount(chosen.components) : 0;
  const preview = useMemo(
    () => (chosen ? renderTemplate(chosen.components, Array.from({ length: placeholders }, (_, i) => body[i + 1] || `{{${i + 1}}}`)) : null),
    [chosen, placeholders, body],
  );
  // Suggestions from the shop's own catalogue, so a first campaign starts from real words.
  const suggestions = [sample.productTitle, sample.price ? formatMoney(sample.price, sample.currency) : null, sample.shopName].filter(Boolean) as string[];
  const audience = { lastOrderWithinDays, minSpent, productId, countries };

  return (
    <Page title={t.newTitle} backAction={{ content: t.title, url: "/app/campaigns" }}>
      <Layout>
        <Layout.Section>
          <Form method="post">
            <input type="hidden" name="intent" value="create" />
            <BlockStack gap="400">
              {result && Object.keys(result.errors).length ? <Banner tone="critical" title={en.flow.fixErrors}>{errors.form}</Banner> : null}
              {templates.length === 0 ? <Banner tone="warning">{t.noTemplates}</Banner> : null}
              <Card>
                <FormLayout>
                  <TextField label={t.name} name="name" value={name} onChange={setName} autoComplete="off" error={errors.name} />
                  <Select label={t.template} name="template" value={template} onChange={setTemplate} error={errors.template}
                    options={[{ label: en.flow.chooseTemplate, value: "" }, ...templates.map((tpl) => ({ label: `${tpl.name} (${tpl.language})`, value: `${tpl.name}|${tpl.language}` }))]} />
                  {Array.from({ length: placeholders }, (_, i) => i + 1).map((n) => (
                    <TextField key={n} label={fill(t.bodyValue, { n })} name={`body.${n}`} autoComplete="off" value={body[n] ?? ""}
                      placeholder={suggestions[n - 1]} onChange={(v) => setBody((all) => ({ ...all, [n]: v }))} error={body[n] ? undefined : errors[`body.${n}`]} />
                  ))}
                  <TextField label={t.link} name="link" type="url" autoComplete="off" value={link} onChange={setLink} helpText={t.linkHelp} error={errors.link} />
                </FormLayout>
              </Card>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t.audience}</Text>
                  <FormLayout>
                    <FormLayout.Group>
                      <TextField label={t.lastOrderWithinDays} name="lastOrderWithinDays" type="number" value={lastOrderWithinDays} onChange={setLastOrder} autoComplete="off" error={errors.lastOrderWithinDays} />
                      <TextField label={t.minSpent} name="minSpent" type="number" value={minSpent} onChange={setMinSpent} autoComplete="off" suffix={sample.currency} error={errors.minSpent} />
                    </FormLayout.Group>
                    <Select label={t.productId} name="productId" value={productId} onChange={setProductId} error={errors.productId}
                      options={[{ label: t.anyProduct, value: "" }, ...products.map((p) => ({ label: p.title, value: p.id }))]} />
                    <TextField label={t.countries} name="countries" value={countries} onChange={setCountries} helpText={t.countriesHelp} autoComplete="off" error={errors.countries} />
                  </FormLayout>
                  <InlineStack gap="300" blockAlign="center">
                    <Button loading={estimate.state !== "idle"} onClick={() => estimate.submit({ intent: "estimate", ...audience }, { method: "post" })}>{t.estimate}</Button>
                    {estimate.data?.count !== null && estimate.data?.count !== undefined ? (
                      <Text as="span" fontWeight="semibold">{estimate.data.count === 1 ? t.estimateResultOne : fill(t.estimateResult, { count: estimate.data.count })}</Text>
                    ) : null}
                  </InlineStack>
                </BlockStack>
              </Card>
              <Card>
                <FormLayout>
                  <TextField label={t.scheduledAt} name="scheduledAt" type="datetime-local" value={scheduledAt} onChange={setScheduledAt} autoComplete="off" error={errors.scheduledAt} />
                </FormLayout>
              </Card>
              <InlineStack align="end" gap="200">
                <Button submit variant="primary" loading={navigation.state === "submitting"}>{scheduledAt ? t.schedule : t.saveDraft}</Button>
              </InlineStack>
            </BlockStack>
          </Form>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">{en.flow.preview}</Text>
              {preview ? (
                <div data-testid="message-preview" style={{ background: "var(--p-color-bg-surface-success)", padding: 12, borderRadius: 12 }}>
                  {preview.header ? <Text as="p" fontWeight="bold">{preview.header}</Text> : null}
                  <Text as="p"><span style={{ whiteSpace: "pre-wrap" }}>{preview.body}</span></Text>
                </div>
              ) : <Text as="p" tone="subdued">{en.flow.previewEmpty}</Text>}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app/campaigns" />;
}
