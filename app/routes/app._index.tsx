import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  Badge, Banner, BlockStack, Box, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Page, ProgressBar, Text,
} from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { env } from "../env.server";
import { systemClock } from "../shared/clock";
import { loadHome } from "../admin/home.server";
import { TrendChart } from "../components/trend-chart";
import { RouteError } from "../components/route-error";
import { formatMoney, formatPercent } from "../components/money";
import { en, fill } from "../i18n/admin";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return loadHome(session.shop, env().SHOPIFY_API_KEY, systemClock.now());
};

const t = en.home;

export default function Home() {
  const { onboarding, dashboard, currency, installProgress } = useLoaderData<typeof loader>();
  const money = (v: string) => formatMoney(v, currency);
  const { totals, daily, flows, subscribers } = dashboard;
  const messageSeries = (["sent", "clicked"] as const).map((k) => ({
    name: t[k],
    data: daily.map((d) => ({ key: d.day.slice(5), value: d[k] })),
  }));
  const revenueSeries = [{ name: t.revenue, data: daily.map((d) => ({ key: d.day.slice(5), value: Number(d.revenue) })) }];
  const doneCount = onboarding.steps.filter((s) => s.done).length;

  return (
    <Page title={t.title}>
      <Layout>
        {installProgress ? (
          <Layout.Section>
            <Banner tone="warning" title={t.finishingTitle}>
              <BlockStack gap="100">
                <p>{t.finishingBody}</p>
                <p>{fill(t.finishingReason, { reason: installProgress.reason })}</p>
                {installProgress.nextAttemptAt && installProgress.attempts > 0 ? (
                  <p>{fill(t.finishingNext, { attempts: installProgress.attempts, at: installProgress.nextAttemptAt.slice(0, 16).replace("T", " ") })}</p>
                ) : null}
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        {onboarding.complete ? null : (
          <Layout.Section>
            <Card>
              <BlockStack gap="400">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">{t.checklistTitle}</Text>
                  <Text as="span" tone="subdued">
                    {fill(t.checklistProgress, { done: doneCount, total: onboarding.steps.length })}
                  </Text>
                </InlineStack>
                <ProgressBar progress={(doneCount / onboarding.steps.length) * 100} size="small" tone="success" />
                <BlockStack gap="300">
                  {onboarding.steps.map((step) => {
                    const copy = t.steps[step.id];
                    return (
                      <Box key={step.id} padding="300" background={step.done ? "bg-surface-secondary" : "bg-surface"} borderRadius="200">
                        <InlineStack align="space-between" blockAlign="center" wrap={false} gap="400">
                          <InlineStack gap="300" blockAlign="center" wrap={false}>
                            <div style={{ width: 20 }}>
                              <Text as="span" tone={step.done ? "success" : "subdued"}>{step.done ? "✓" : "○"}</Text>
                            </div>
                            <BlockStack gap="100">
                              <Text as="h3" variant="headingSm">{copy.title}</Text>
                              <Text as="p" tone="subdued">{copy.body}</Text>
                              {step.id === "confirmation_template" && onboarding.confirmation ? (
                                <Text as="p" tone={onboarding.confirmation.englishFallback ? "caution" : "critical"}>
                                  {fill(onboarding.confirmation.englishFallback ? t.confirmationEnglish : t.confirmationMissing, {
                                    language: onboarding.confirmation.language,
                                  })}
                                </Text>
                              ) : null}
                            </BlockStack>
                          </InlineStack>
                          <InlineStack gap="200" wrap={false} blockAlign="center">
                            <Badge tone={step.done ? "success" : undefined}>{step.done ? t.done : t.todo}</Badge>
                            {step.done ? null : <StepAction id={step.id} links={onboarding.themeLinks} />}
                          </InlineStack>
                        </InlineStack>
                      </Box>
                    );
                  })}
                </BlockStack>
              </BlockStack>
            </Card>
          </Layout.Section>
        )}
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="h2" variant="headingMd">{t.metricsTitle}</Text>
            <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
              <Metric label={t.sent} value={totals.sent} />
              <Metric label={t.delivered} value={totals.delivered} />
              <Metric label={t.read} value={totals.read} />
              <Metric label={t.clicked} value={totals.clicked} />
            </InlineGrid>
            <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
              <Metric label={t.orders} value={totals.orders} />
              <Metric label={t.revenue} value={money(totals.revenue)} />
              <Metric
                label={t.subscribers}
                value={subscribers.current}
                caption={fill(t.subscribersGrowth, { added: subscribers.added, removed: subscribers.removed })}
              />
            </InlineGrid>
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          {totals.sent === 0 && totals.orders === 0 ? (
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">{t.emptyTitle}</Text>
                <Text as="p" tone="subdued">{t.emptyBody}</Text>
              </BlockStack>
            </Card>
          ) : (
            <BlockStack gap="400">
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                <Card>
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingMd">{t.chartMessages}</Text>
                    <TrendChart series={messageSeries} label={t.chartMessages} counts />
                  </BlockStack>
                </Card>
                <Card>
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingMd">{t.chartRevenue}</Text>
                    <TrendChart series={revenueSeries} label={t.chartRevenue} />
                  </BlockStack>
                </Card>
              </InlineGrid>
              <Card padding="0">
                <Box padding="400">
                  <Text as="h2" variant="headingMd">{t.perFlowTitle}</Text>
                </Box>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "text"]}
                  headings={[t.flow, t.sent, t.delivered, t.read, t.clicked, t.orders, t.revenue, t.lift]}
                  rows={flows.map((f) => [
                    en.flowNames[f.flow] ?? f.flow,
                    f.sent,
                    f.delivered,
                    f.read,
                    f.clicked,
                    f.orders,
                    money(f.revenue),
                    f.lift === null ? (f.controlShoppers > 0 ? "—" : t.noHoldout) : `${f.lift >= 0 ? "+" : ""}${formatPercent(f.lift)}`,
                  ])}
                />
              </Card>
            </BlockStack>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Metric({ label, value, caption }: { label: string; value: string | number; caption?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="p" tone="subdued">{label}</Text>
        <Text as="p" variant="headingLg">{value}</Text>
        {caption ? <Text as="p" tone="subdued" variant="bodySm">{caption}</Text> : null}
      </BlockStack>
    </Card>
  );
}

function StepAction({ id, links }: { id: keyof typeof t.steps; links: { embed: string; productBlock: string } }) {
  const copy = t.steps[id];
  if (id === "theme") {
    return (
      <InlineStack gap="200" wrap={false}>
        <Button url={links.embed} target="_top">{copy.action}</Button>
        <Button url={links.productBlock} target="_top" variant="plain">{t.steps.theme.secondary}</Button>
      </InlineStack>
    );
  }
  const url = id === "flows" ? "/app/flows" : id === "templates" ? "/app/templates" : "/app/settings";
  return <Button url={url} variant="primary">{copy.action}</Button>;
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app" />;
}
