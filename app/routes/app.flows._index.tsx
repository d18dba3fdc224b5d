import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, IndexTable, InlineStack, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { systemClock } from "../shared/clock";
import { listFlows } from "../admin/flow-list.server";
import { toggleFlow } from "../admin/flow-settings.server";
import { isMerchantFlow } from "../admin/flow-catalog";
import { getShop } from "../shops/shop.server";
import { formatMoney } from "../components/money";
import { RouteError } from "../components/route-error";
import { en } from "../i18n/admin";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [flows, shop] = await Promise.all([listFlows(session.shop, systemClock.now()), getShop(session.shop)]);
  return { flows, currency: shop?.currency ?? "USD" };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const flow = String(form.get("flow") ?? "");
  const enabled = form.get("enabled");
  if (!isMerchantFlow(flow) || (enabled !== "true" && enabled !== "false")) {
    return data({ ok: false, flow, errors: { form: "Unknown flow or state" } }, { status: 400 });
  }
  const result = await toggleFlow(session.shop, flow, enabled === "true");
  return result.ok ? { ok: true, flow, errors: {} } : data({ ok: false, flow, errors: result.errors }, { status: 422 });
};

const t = en.flows;

export default function Flows() {
  const { flows, currency } = useLoaderData<typeof loader>();
  return (
    <Page title={t.title}>
      <Card padding="0">
        <IndexTable
          resourceName={{ singular: "flow", plural: "flows" }}
          itemCount={flows.length}
          selectable={false}
          headings={[{ title: en.messages.flow }, { title: t.state }, { title: t.sent, alignment: "end" }, { title: t.orders, alignment: "end" }, { title: t.revenue, alignment: "end" }, { title: "" }]}
        >
          {flows.map((f, i) => (
            <IndexTable.Row id={f.flow} key={f.flow} position={i}>
              <IndexTable.Cell>
                <BlockStack gap="050">
                  <Text as="span" variant="bodyMd" fontWeight="semibold">{en.flowNames[f.flow]}</Text>
                  <Text as="span" tone="subdued" variant="bodySm">{en.flowDescriptions[f.flow]}</Text>
                </BlockStack>
              </IndexTable.Cell>
              <IndexTable.Cell>
                {f.pausedReason ? <Badge tone="warning">{t.paused}</Badge> : f.enabled ? <Badge tone="success">{t.on}</Badge> : <Badge>{t.off}</Badge>}
              </IndexTable.Cell>
              <IndexTable.Cell><Text as="span" alignment="end" numeric>{f.sent}</Text></IndexTable.Cell>
              <IndexTable.Cell><Text as="span" alignment="end" numeric>{f.orders}</Text></IndexTable.Cell>
              <IndexTable.Cell><Text as="span" alignment="end" numeric>{formatMoney(f.revenue, currency)}</Text></IndexTable.Cell>
              <IndexTable.Cell>
                <FlowActions flow={f.flow} enabled={f.enabled} />
              </IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </Card>
    </Page>
  );
}

function FlowActions({ flow, enabled }: { flow: string; enabled: boolean }) {
  const fetcher = useFetcher<typeof action>();
  const error = fetcher.data && !fetcher.data.ok ? Object.values(fetcher.data.errors)[0] : null;
  return (
    <BlockStack gap="100" inlineAlign="end">
      <InlineStack gap="200" align="end" wrap={false}>
        <fetcher.Form method="post">
          <input type="hidden" name="flow" value={flow} />
          <input type="hidden" name="enabled" value={enabled ? "false" : "true"} />
          <Button submit loading={fetcher.state !== "idle"} accessibilityLabel={`${enabled ? t.turnOff : t.turnOn} ${en.flowNames[flow]}`}>
            {enabled ? t.turnOff : t.turnOn}
          </Button>
        </fetcher.Form>
        <Button url={`/app/flows/${flow}`} variant="plain">{t.edit}</Button>
      </InlineStack>
      {error ? <Text as="span" tone="critical" variant="bodySm">{error}</Text> : null}
    </BlockStack>
  );
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app" />;
}
