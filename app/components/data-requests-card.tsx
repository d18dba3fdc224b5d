import { Banner, BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { useState } from "react";
import { en, fill } from "../i18n/admin";
import { formatDateTime } from "./money";

const t = en.dataRequests;

export interface DataRequestRow {
  id: string;
  requestedAt: string;
  email: string | null;
  customerId: string | null;
}

/** The shop's customers/data_request reports, newest first, each downloadable as JSON. */
export function DataRequestsCard({ requests, timezone }: { requests: DataRequestRow[]; timezone: string }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  // Downloads go through fetch so App Bridge attaches the session token to the request.
  const download = async (id: string) => {
    setBusy(id);
    setFailed(false);
    try {
      const response = await fetch(`/app/data-requests/${encodeURIComponent(id)}`);
      if (!response.ok) {
        setFailed(true);
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = `data-request-${id}.json`;
      anchor.click();
      URL.revokeObjectURL(url);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t.title}</Text>
        {failed ? <Banner tone="critical" title={t.failed} /> : null}
        {requests.length === 0 ? <Text as="p" tone="subdued">{t.empty}</Text> : null}
        <ul aria-label={t.title} style={{ margin: 0, padding: 0, listStyle: "none" }}>
          {requests.map((r) => (
            <li key={r.id} style={{ padding: "6px 0" }}>
              <InlineStack align="space-between" blockAlign="center" gap="200">
                <BlockStack gap="050">
                  <Text as="span" fontWeight="semibold">{r.email ?? (r.customerId ? fill(t.customer, { id: r.customerId }) : t.unknown)}</Text>
                  <Text as="span" tone="subdued">{fill(t.requested, { at: formatDateTime(r.requestedAt, timezone) })}</Text>
                </BlockStack>
                <Button onClick={() => download(r.id)} loading={busy === r.id}>{t.download}</Button>
              </InlineStack>
            </li>
          ))}
        </ul>
      </BlockStack>
    </Card>
  );
}
