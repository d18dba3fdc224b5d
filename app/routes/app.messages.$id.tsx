import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { loadMessage } from "../admin/message-timeline.server";
import { getShop } from "../shops/shop.server";
import { formatDateTime } from "../components/money";
import { statusTone } from "../components/status-tone";
import { RouteError } from "../components/route-error";
import { readableError } from "../i18n/whatsapp-errors";
import { EVENT_LABELS, describeGateReason } from "../i18n/gate-reasons";
import { en } from "../i18n/admin";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [message, shop] = await Promise.all([loadMessage(session.shop, params.id ?? ""), getShop(session.shop)]);
  if (!message) throw new Response("Not found", { status: 404 });
  const failure = message.error ? readableError(message.error.code, message.error.title, message.error.details) : null;
  return { message, failure, timezone: shop?.timezone ?? "UTC" };
};

const t = en.messages;

export default function MessageDetail() {
  const { message, failure, timezone } = useLoaderData<typeof loader>();
  return (
    <Page
      title={en.flowNames[message.flow] ?? message.flow}
      titleMetadata={<Badge tone={statusTone(message.status)}>{en.statuses[message.status] ?? message.status}</Badge>}
      backAction={{ content: t.title, url: "/app/messages" }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {failure ? (
              <Banner tone="critical" title={t.error}>
                <p>{failure}</p>
                {message.error?.code ? <Text as="p" tone="subdued" variant="bodySm">WhatsApp {message.error.code}{message.error.title ? ` · ${message.error.title}` : ""}</Text> : null}
              </Banner>
            ) : null}
            <Card>
              <BlockStack gap="400">
                <Text as="h2" variant="headingMd">{t.timeline}</Text>
                <ol style={{ listStyle: "none", margin: 0, padding: 0 }}>
                  {message.timeline.map((entry, i) => (
                    <li key={i} style={{ borderLeft: "2px solid var(--p-color-border)", paddingLeft: 16, paddingBottom: 16, position: "relative" }}>
                      <span style={{ position: "absolute", left: -6, top: 4, width: 10, height: 10, borderRadius: 5, background: entry.kind === "failed" ? "var(--p-color-bg-fill-critical)" : "var(--p-color-bg-fill-success)" }} />
                      <BlockStack gap="050">
                        <InlineStack gap="200" blockAlign="center">
                          <Text as="span" fontWeight="semibold">{t.kinds[entry.kind] ?? entry.kind}</Text>
                          {entry.kind === "decision" || entry.kind === "event" ? <Badge>{EVENT_LABELS[entry.label] ?? entry.label}</Badge> : null}
                        </InlineStack>
                        <Text as="span" tone="subdued" variant="bodySm">{formatDateTime(entry.at, timezone)}</Text>
                        {entry.detail ? <Text as="span" variant="bodySm">{entry.kind === "decision" || entry.kind === "event" ? describeGateReason(entry.detail) : entry.detail}</Text> : null}
                      </BlockStack>
                    </li>
                  ))}
                </ol>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t.details}</Text>
              <Detail label={t.recipient} value={message.recipient ?? "—"} />
              <Detail label={t.template} value={`${message.templateName} (${message.templateLanguage})`} />
              <Detail label={t.sendAt} value={formatDateTime(message.sendAt, timezone)} />
              {message.decision ? <Detail label={t.decision} value={[EVENT_LABELS[message.decision] ?? message.decision, describeGateReason(message.decisionReason)].filter(Boolean).join(" · ")} /> : null}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Detail({ label, value }: { label: string; value: string }) {
  return (
    <Box>
      <Text as="p" tone="subdued" variant="bodySm">{label}</Text>
      <Text as="p">{value}</Text>
    </Box>
  );
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app/messages" notFound={t.notFound} />;
}
