import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineStack, Layout, Modal, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { getSubscriber, optOutByAdmin } from "../consent/subscribers.server";
import { subscriberText as t, statusBadgeTone } from "../consent/subscriber-labels";
import { getShop } from "../shops/shop.server";
import { systemClock } from "../shared/clock";
import { authenticate } from "../shopify.server";
import { formatDateTime } from "../components/money";
import { RouteError } from "../components/route-error";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [found, shop] = await Promise.all([getSubscriber(session.shop, params.id ?? ""), getShop(session.shop)]);
  if (!found) throw new Response("Not found", { status: 404 });
  const { subscriber, events } = found;
  return {
    timezone: shop?.timezone ?? "UTC",
    subscriber: {
      id: subscriber.id,
      phone: subscriber.phone,
      countryCode: subscriber.countryCode,
      status: subscriber.status,
      scope: subscriber.scope,
      locale: subscriber.locale,
      acceptsOffers: subscriber.acceptsOffers,
      createdAt: subscriber.createdAt.toISOString(),
    },
    requests: subscriber.requests.map((r) => ({ id: r.id, variantId: r.variantId, status: r.status, createdAt: r.createdAt.toISOString() })),
    events: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      source: e.source,
      scope: e.scope,
      text: e.text,
      textVersion: e.textVersion,
      locale: e.locale,
      deviceHash: e.deviceHash ? `${e.deviceHash.slice(0, 12)}…` : null,
      occurredAt: e.occurredAt.toISOString(),
    })),
  };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") !== "opt_out") return { ok: false as const, error: "Unknown action" };
  const note = String(form.get("note") ?? "").trim();
  const found = await optOutByAdmin(session.shop, params.id ?? "", systemClock.now(), note);
  if (!found) throw new Response("Not found", { status: 404 });
  return { ok: true as const };
};

export default function SubscriberHistory() {
  const { subscriber, events, requests, timezone } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const busy = navigation.state === "submitting";

  return (
    <Page
      backAction={{ url: "/app/subscribers" }}
      title={subscriber.phone}
      titleMetadata={<Badge tone={statusBadgeTone(subscriber.status)}>{t.statuses[subscriber.status]}</Badge>}
      secondaryActions={subscriber.status === "unsubscribed" ? [] : [{ content: t.optOut, destructive: true, onAction: () => setOpen(true) }]}
    >
      <Layout>
        {result?.ok ? (
          <Layout.Section>
            <Banner tone="success">{t.optedOut}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">{t.history}</Text>
              <BlockStack gap="300">
                {events.map((e) => (
                  <Box key={e.id} borderInlineStartWidth="050" borderColor="border" paddingInlineStart="400">
                    <BlockStack gap="100">
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="span" fontWeight="semibold">{t.kinds[e.kind]}</Text>
                        <Badge>{t.sources[e.source]}</Badge>
                        <Text as="span" tone="subdued">{formatDateTime(e.occurredAt, timezone)}</Text>
                      </InlineStack>
                      {e.text ? <Text as="p">“{e.text}”</Text> : null}
                      <Text as="p" tone="subdued" variant="bodySm">
                        {[e.textVersion ? `${t.version} ${e.textVersion}` : null, e.locale, t.scopes[e.scope], e.deviceHash ? `${t.device} ${e.deviceHash}` : null]
                          .filter(Boolean)
                          .join(" · ")}
                      </Text>
                    </BlockStack>
                  </Box>
                ))}
              </BlockStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="p">{t.scope}: {t.scopes[subscriber.scope]}</Text>
                <Text as="p">{t.locale}: {subscriber.locale}</Text>
                <Text as="p">{t.country}: {subscriber.countryCode ?? "—"}</Text>
                <Text as="p" tone="subdued">{t.created}: {formatDateTime(subscriber.createdAt, timezone)}</Text>
              </BlockStack>
            </Card>
            {requests.length > 0 ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">{t.requests}</Text>
                  {requests.map((r) => (
                    <InlineStack key={r.id} gap="200">
                      <Text as="span">#{r.variantId}</Text>
                      <Badge>{r.status}</Badge>
                    </InlineStack>
                  ))}
                </BlockStack>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
      <Modal open={open} onClose={() => setOpen(false)} title={t.optOutTitle}>
        <Form method="post" onSubmit={() => setOpen(false)}>
          <Modal.Section>
            <BlockStack gap="300">
              <Text as="p">{t.optOutBody}</Text>
              <input type="hidden" name="intent" value="opt_out" />
              <TextField label={t.optOutNote} name="note" value={note} onChange={setNote} autoComplete="off" maxLength={500} />
              <InlineStack gap="200" align="end">
                <Button onClick={() => setOpen(false)}>{t.cancel}</Button>
                <Button submit variant="primary" tone="critical" loading={busy}>{t.optOut}</Button>
              </InlineStack>
            </BlockStack>
          </Modal.Section>
        </Form>
      </Modal>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app/subscribers" notFound={t.notFound} />;
}
