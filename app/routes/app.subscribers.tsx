import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useOutlet } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, IndexTable, InlineStack, Link, Page, Select, TextField } from "@shopify/polaris";
import { useState } from "react";
import { listSubscribers, parseSubscriberQuery } from "../consent/subscribers.server";
import { getShop } from "../shops/shop.server";
import { authenticate } from "../shopify.server";
import { formatDateTime } from "../components/money";
import { RouteError } from "../components/route-error";
import { subscriberText as t, statusBadgeTone } from "../consent/subscriber-labels";
import { ListEmptyState } from "../components/list-empty-state";
import { ListPagination, useCursorUrls } from "../components/list-pagination";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const query = parseSubscriberQuery(new URL(request.url).searchParams);
  const [page, shop] = await Promise.all([listSubscribers(session.shop, query), getShop(session.shop)]);
  return { ...page, timezone: shop?.timezone ?? "UTC" };
};

export default function Subscribers() {
  // The history page (app.subscribers.$id) nests under this path; show it instead of the list.
  const outlet = useOutlet();
  return outlet ?? <SubscriberList />;
}

function SubscriberList() {
  const { items, filters, next, previous, timezone } = useLoaderData<typeof loader>();
  const [q, setQ] = useState(filters.q ?? "");
  const [status, setStatus] = useState(filters.status ?? "");
  const [source, setSource] = useState(filters.source ?? "");
  const [exporting, setExporting] = useState(false);
  const pages = useCursorUrls({ previous, next });
  // Downloads go through fetch so App Bridge attaches the session token to the request.
  const download = async () => {
    setExporting(true);
    try {
      const filterParams = new URLSearchParams({ ...(filters.q ? { q: filters.q } : {}), ...(filters.status ? { status: filters.status } : {}), ...(filters.source ? { source: filters.source } : {}) });
      const response = await fetch(`/app/subscribers/export?${filterParams}`);
      if (!response.ok) return;
      const url = URL.createObjectURL(await response.blob());
      const anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = "subscribers.csv";
      anchor.click();
      URL.revokeObjectURL(url);
    } finally {
      setExporting(false);
    }
  };

  return (
    <Page title={t.title} secondaryActions={[{ content: t.export, onAction: download, loading: exporting }]}>
      <BlockStack gap="400">
        <Card>
          <Form method="get">
            <InlineStack gap="300" blockAlign="end">
              <TextField label={t.search} name="q" value={q} onChange={setQ} autoComplete="off" placeholder={t.searchPlaceholder} />
              <Select label={t.status} name="status" value={status} onChange={setStatus}
                options={[{ label: t.any, value: "" }, ...Object.entries(t.statuses).map(([value, label]) => ({ label, value }))]} />
              <Select label={t.source} name="source" value={source} onChange={setSource}
                options={[{ label: t.any, value: "" }, ...Object.entries(t.sources).map(([value, label]) => ({ label, value }))]} />
              <Button submit variant="primary">{t.apply}</Button>
              <Button url="/app/subscribers" variant="plain">{t.clear}</Button>
            </InlineStack>
          </Form>
        </Card>
        <Card padding="0">
          {items.length === 0 ? (
            <ListEmptyState title={t.emptyTitle} body={t.emptyBody} />
          ) : (
            <IndexTable
              resourceName={{ singular: "subscriber", plural: "subscribers" }}
              itemCount={items.length}
              selectable={false}
              headings={[{ title: t.phone }, { title: t.status }, { title: t.source }, { title: t.scope }, { title: t.locale }, { title: t.created }]}
            >
              {items.map((s, i) => (
                <IndexTable.Row id={s.id} key={s.id} position={i}>
                  <IndexTable.Cell>
                    <Link url={`/app/subscribers/${s.id}`} removeUnderline>{s.phone}</Link>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Badge tone={statusBadgeTone(s.status)}>{t.statuses[s.status]}</Badge>
                  </IndexTable.Cell>
                  <IndexTable.Cell>{s.source ? t.sources[s.source] : "—"}</IndexTable.Cell>
                  <IndexTable.Cell>{t.scopes[s.scope as "marketing" | "utility"] ?? s.scope}</IndexTable.Cell>
                  <IndexTable.Cell>{s.locale}</IndexTable.Cell>
                  <IndexTable.Cell>{formatDateTime(s.createdAt, timezone)}</IndexTable.Cell>
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
