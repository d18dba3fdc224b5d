import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, IndexTable, InlineStack, Link, Page, Select, TextField } from "@shopify/polaris";
import { useState } from "react";
import { authenticate } from "../shopify.server";
import { listMessages, parseMessageQuery } from "../admin/message-log.server";
import { getShop } from "../shops/shop.server";
import { formatDateTime } from "../components/money";
import { statusTone } from "../components/status-tone";
import { RouteError } from "../components/route-error";
import { en } from "../i18n/admin";
import { ListEmptyState } from "../components/list-empty-state";
import { ListPagination, useCursorUrls } from "../components/list-pagination";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const query = parseMessageQuery(new URL(request.url).searchParams);
  const [page, shop] = await Promise.all([listMessages(session.shop, query), getShop(session.shop)]);
  return { ...page, timezone: shop?.timezone ?? "UTC" };
};

const t = en.messages;
const FLOW_OPTIONS = ["abandoned_cart", "back_in_stock", "reorder", "upsell", "promotion", "appointment", "optin_confirmation"];
const STATUS_OPTIONS = ["scheduled", "sending", "sent", "delivered", "read", "failed", "skipped", "cancelled", "held_out"];

export default function Messages() {
  const { items, filters, next, previous, timezone } = useLoaderData<typeof loader>();
  const [flow, setFlow] = useState(filters.flow ?? "");
  const [status, setStatus] = useState(filters.status ?? "");
  const [from, setFrom] = useState(filters.from ?? "");
  const [to, setTo] = useState(filters.to ?? "");
  const pages = useCursorUrls({ previous, next });

  return (
    <Page title={t.title}>
      <BlockStack gap="400">
        <Card>
          <Form method="get">
            <InlineStack gap="300" blockAlign="end">
              <Select label={t.flow} name="flow" value={flow} onChange={setFlow}
                options={[{ label: t.any, value: "" }, ...FLOW_OPTIONS.map((f) => ({ label: en.flowNames[f], value: f }))]} />
              <Select label={t.status} name="status" value={status} onChange={setStatus}
                options={[{ label: t.any, value: "" }, ...STATUS_OPTIONS.map((s) => ({ label: en.statuses[s], value: s }))]} />
              <TextField label={t.from} name="from" type="date" value={from} onChange={setFrom} autoComplete="off" />
              <TextField label={t.to} name="to" type="date" value={to} onChange={setTo} autoComplete="off" />
              <Button submit variant="primary">{t.apply}</Button>
              <Button url="/app/messages" variant="plain">{t.clear}</Button>
            </InlineStack>
          </Form>
        </Card>
        <Card padding="0">
          {items.length === 0 ? (
            <ListEmptyState title={t.emptyTitle} body={t.emptyBody} />
          ) : (
            <IndexTable
              resourceName={{ singular: "message", plural: "messages" }}
              itemCount={items.length}
              selectable={false}
              headings={[{ title: t.created }, { title: t.flow }, { title: t.recipient }, { title: t.template }, { title: t.status }]}
            >
              {items.map((m, i) => (
                <IndexTable.Row id={m.id} key={m.id} position={i}>
                  <IndexTable.Cell>
                    <Link url={`/app/messages/${m.id}`} removeUnderline>{formatDateTime(m.createdAt, timezone)}</Link>
                  </IndexTable.Cell>
                  <IndexTable.Cell>{en.flowNames[m.flow] ?? m.flow}</IndexTable.Cell>
                  <IndexTable.Cell>{m.recipient ?? "—"}</IndexTable.Cell>
                  <IndexTable.Cell>{m.templateName}</IndexTable.Cell>
                  <IndexTable.Cell><Badge tone={statusTone(m.status)}>{en.statuses[m.status] ?? m.status}</Badge></IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          )}
          <ListPagination {...pages} previousLabel={t.previous} nextLabel={t.next} />
        </Card>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app" />;
}
