import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, Button, Card, IndexTable, Link, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { listCampaigns } from "../admin/campaigns.server";
import { getShop } from "../shops/shop.server";
import { formatDateTime } from "../components/money";
import { statusTone } from "../components/status-tone";
import { RouteError } from "../components/route-error";
import { en } from "../i18n/admin";
import { ListEmptyState } from "../components/list-empty-state";
import { ListPagination } from "../components/list-pagination";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const after = new URL(request.url).searchParams.get("after");
  const [page, shop] = await Promise.all([listCampaigns(session.shop, after), getShop(session.shop)]);
  return { ...page, timezone: shop?.timezone ?? "UTC" };
};

const t = en.campaigns;

export default function Campaigns() {
  const { items, next, first, timezone } = useLoaderData<typeof loader>();
  return (
    <Page title={t.title} primaryAction={{ content: t.create, url: "/app/campaigns/new" }}>
      <Card padding="0">
        {items.length === 0 && first ? (
          <ListEmptyState
            title={t.emptyTitle}
            body={t.emptyBody}
            action={<Button url="/app/campaigns/new" variant="primary">{t.create}</Button>}
          />
        ) : (
          <IndexTable
            resourceName={{ singular: "campaign", plural: "campaigns" }}
            itemCount={items.length}
            selectable={false}
            headings={[{ title: t.name }, { title: t.status }, { title: t.audience, alignment: "end" }, { title: t.scheduledAt }, { title: t.createdAt }]}
          >
            {items.map((c, i) => (
              <IndexTable.Row id={c.id} key={c.id} position={i}>
                <IndexTable.Cell><Link url={`/app/campaigns/${c.id}`} removeUnderline>{c.name}</Link></IndexTable.Cell>
                <IndexTable.Cell><Badge tone={statusTone(c.status)}>{en.statuses[c.status] ?? c.status}</Badge></IndexTable.Cell>
                <IndexTable.Cell><Text as="span" alignment="end" numeric>{c.audienceSize}</Text></IndexTable.Cell>
                <IndexTable.Cell>{c.scheduledAt ? formatDateTime(c.scheduledAt, timezone) : "—"}</IndexTable.Cell>
                <IndexTable.Cell>{formatDateTime(c.createdAt, timezone)}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        )}
        <ListPagination
          previousUrl={first ? undefined : "/app/campaigns"}
          previousLabel={t.newer}
          nextUrl={next ? `?after=${next}` : undefined}
          nextLabel={t.next}
        />
      </Card>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app" />;
}
