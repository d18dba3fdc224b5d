import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineGrid, InlineStack, Layout, Page, ProgressBar, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { authenticate } from "../shopify.server";
import { systemClock } from "../shared/clock";
import { cancelCampaign, loadCampaign, scheduleCampaign } from "../admin/campaigns.server";
import { getShop } from "../shops/shop.server";
import { formatDateTime, formatMoney } from "../components/money";
import { statusTone } from "../components/status-tone";
import { RouteError } from "../components/route-error";
import { en } from "../i18n/admin";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [campaign, shop] = await Promise.all([loadCampaign(session.shop, params.id ?? ""), getShop(session.shop)]);
  if (!campaign) throw new Response("Not found", { status: 404 });
  return { campaign, currency: shop?.currency ?? "USD", timezone: shop?.timezone ?? "UTC" };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const intent = form.get("intent");
  const id = params.id ?? "";
  const result =
    intent === "schedule" ? await scheduleCampaign(session.shop, id, String(form.get("scheduledAt") ?? ""), systemClock.now()) :
    intent === "cancel" ? await cancelCampaign(session.shop, id) :
    undefined;
  if (result === undefined) return data({ ok: false, errors: { form: "Unknown action" } as Record<string, string> }, { status: 400 });
  if (result === null) throw new Response("Not found", { status: 404 });
  if (!result.ok) return data({ ok: false, errors: result.errors }, { status: 422 });
  return { ok: true, errors: {} as Record<string, string> };
};

const t = en.campaigns;

export default function CampaignDetail() {
  const { campaign, currency, timezone } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const revalidator = useRevalidator();
  const [scheduledAt, setScheduledAt] = useState("");
  const live = campaign.status === "scheduled" || campaign.status === "sending";
  // Progress comes from the outbox as the dispatcher works through it; poll while it moves.
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle" && document.visibilityState === "visible") revalidator.revalidate();
    }, 5000);
    return () => clearInterval(timer);
  }, [live, revalidator]);
  const p = campaign.progress;
  const done = p.planned ? (p.planned - p.waiting) / p.planned : 0;
  const errors = result?.errors ?? {};

  return (
    <Page
      title={campaign.name}
      titleMetadata={<Badge tone={statusTone(campaign.status)}>{en.statuses[campaign.status] ?? campaign.status}</Badge>}
      backAction={{ content: t.title, url: "/app/campaigns" }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {errors.form ? <Banner tone="critical">{errors.form}</Banner> : null}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t.progress}</Text>
                {live ? <Text as="p" tone="subdued">{t.sendingNote}</Text> : null}
                <ProgressBar progress={done * 100} tone="primary" />
                <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
                  <Figure label={t.planned} value={p.planned} />
                  <Figure label={t.waiting} value={p.waiting} />
                  <Figure label={t.sent} value={p.sent} />
                  <Figure label={t.delivered} value={p.delivered} />
                  <Figure label={t.read} value={p.read} />
                  <Figure label={t.clicked} value={p.clicked} />
                  <Figure label={t.failed} value={p.failed} />
                  <Figure label={t.skipped} value={p.skipped} />
                  <Figure label={t.heldOut} value={p.heldOut} />
                </InlineGrid>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t.results}</Text>
                <InlineGrid columns={2} gap="300">
                  <Figure label={t.orders} value={campaign.results.orders} />
                  <Figure label={t.revenue} value={formatMoney(campaign.results.revenue, currency)} />
                </InlineGrid>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Figure label={t.template} value={`${campaign.templateName} (${campaign.templateLanguage})`} />
              <Figure label={t.audience} value={campaign.audienceSize} />
              <Figure label={t.scheduledAt} value={campaign.scheduledAt ? formatDateTime(campaign.scheduledAt, timezone) : "—"} />
              {campaign.status === "draft" ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="schedule" />
                  <BlockStack gap="200">
                    <TextField label={t.scheduledAt} name="scheduledAt" type="datetime-local" value={scheduledAt} onChange={setScheduledAt} autoComplete="off" error={errors.scheduledAt} helpText={t.sendNow} />
                    <Button submit variant="primary">{scheduledAt ? t.schedule : t.sendNow}</Button>
                  </BlockStack>
                </Form>
              ) : null}
              {campaign.status === "draft" || campaign.status === "scheduled" ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="cancel" />
                  <InlineStack>
                    <Button submit tone="critical" variant="plain">{t.cancel}</Button>
                  </InlineStack>
                </Form>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Figure({ label, value }: { label: string; value: string | number }) {
  return (
    <BlockStack gap="050">
      <Text as="p" tone="subdued" variant="bodySm">{label}</Text>
      <Text as="p" variant="headingMd">{value}</Text>
    </BlockStack>
  );
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app/campaigns" notFound={t.notFound} />;
}
