import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Card, DataTable, Page } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { listDemand } from "../admin/demand.server";
import { getShop } from "../shops/shop.server";
import { formatDateTime, formatMoney } from "../components/money";
import { RouteError } from "../components/route-error";
import { en } from "../i18n/admin";
import { ListEmptyState } from "../components/list-empty-state";
import { ListPagination } from "../components/list-pagination";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const after = new URL(request.url).searchParams.get("after");
  const [page, shop] = await Promise.all([listDemand(session.shop, after), getShop(session.shop)]);
  return { ...page, currency: shop?.currency ?? "USD", timezone: shop?.timezone ?? "UTC" };
};

const t = en.demand;

export default function Demand() {
  const { items, next, first, currency, timezone } = useLoaderData<typeof loader>();
  return (
    <Page title={t.title} subtitle={t.subtitle}>
      <Card padding="0">
        {items.length === 0 ? (
          <ListEmptyState title={t.emptyTitle} body={t.emptyBody} />
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "text"]}
            headings={[t.product, t.sku, t.waiting, t.price, t.potential, t.since]}
            rows={items.map((d) => [
              [d.productTitle ?? d.productId, d.variantTitle && d.variantTitle !== "Default Title" ? d.variantTitle : null].filter(Boolean).join(" – "),
              d.sku ?? "—",
              d.waiting,
              formatMoney(d.price, currency),
              formatMoney(d.potentialRevenue, currency),
              formatDateTime(d.oldestRequestAt, timezone),
            ])}
          />
        )}
        <ListPagination
          previousUrl={first ? undefined : "/app/demand"}
          previousLabel={t.first}
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
