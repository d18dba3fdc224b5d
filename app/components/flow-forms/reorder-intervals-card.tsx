import { Form, useFetcher } from "@remix-run/react";
import { BlockStack, Box, Button, Card, Divider, InlineStack, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { INTERVAL_INTENT, INTERVAL_LIST_LIMIT } from "../../admin/flow-form";
import type { ProductInterval } from "../../admin/reorder-intervals";
import { en, fill } from "../../i18n/admin";
import { str } from "./types";

const t = en.flow;

/** The reorder page's per-product intervals: each row saves on its own, beside the flow's form. */
export type IntervalResult = { ok: boolean; productId: string; errors: Record<string, string> };

export function IntervalsCard({ intervals, search, pageResult }: { intervals: ProductInterval[]; search: string; pageResult?: IntervalResult }) {
  const [term, setTerm] = useState(search);
  const scope = search
    ? fill(t.intervalsMatching, { q: search })
    : intervals.length >= INTERVAL_LIST_LIMIT ? fill(t.intervalsCapped, { n: INTERVAL_LIST_LIMIT }) : "";
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t.intervalsTitle}</Text>
        <Text as="p" tone="subdued">{`${t.intervalsHelp}${scope ? ` ${scope}` : ""}`}</Text>
        {/* A GET form of its own: searching reloads the list and never submits the flow's settings. */}
        <Form method="get" data-testid="reorder-interval-search">
          <InlineStack gap="200" blockAlign="end">
            <TextField label={t.intervalsSearch} name="product" value={term} onChange={setTerm} autoComplete="off" maxLength={100} />
            <Button submit>{t.intervalsSearchButton}</Button>
            {search ? <Button url="/app/flows/reorder" variant="plain">{t.intervalsShowAll}</Button> : null}
          </InlineStack>
        </Form>
        {intervals.length === 0 ? <Text as="p">{search ? fill(t.intervalsNoMatch, { q: search }) : t.intervalsEmpty}</Text> : null}
        {intervals.map((row, i) => (
          <BlockStack gap="300" key={row.productId}>
            {i > 0 ? <Divider /> : null}
            <IntervalRow row={row} pageResult={pageResult?.productId === row.productId ? pageResult : undefined} />
          </BlockStack>
        ))}
      </BlockStack>
    </Card>
  );
}

function IntervalRow({ row, pageResult }: { row: ProductInterval; pageResult?: IntervalResult }) {
  const fetcher = useFetcher<IntervalResult>();
  const [days, setDays] = useState(str(row.replenishmentDays));
  const outcome = (fetcher.state === "idle" ? fetcher.data : undefined) ?? pageResult;
  const submit = (value: string) =>
    fetcher.submit({ intent: INTERVAL_INTENT, productId: row.productId, replenishmentDays: value }, { method: "post" });
  const inUse = row.days === 1 ? t.intervalOneDay : fill(t.intervalDaysCount, { n: row.days });
  return (
    <fetcher.Form method="post" data-testid={`interval-${row.productId}`}>
      <input type="hidden" name="intent" value={INTERVAL_INTENT} />
      <input type="hidden" name="productId" value={row.productId} />
      <InlineStack gap="400" align="space-between" blockAlign="end" wrap={false}>
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">{row.title}</Text>
          <Text as="p" tone="subdued">
            {`${inUse} · ${fill(t.intervalSources[row.source], { n: row.samples })}`}
          </Text>
        </BlockStack>
        <InlineStack gap="200" blockAlign="end" wrap={false}>
          <Box width="160px">
            <TextField label={fill(t.intervalDays, { product: row.title })} labelHidden name="replenishmentDays" type="number"
              autoComplete="off" suffix={t.intervalSuffix} value={days} onChange={setDays}
              placeholder={String(row.days)} error={outcome && !outcome.ok ? outcome.errors.replenishmentDays : undefined} />
          </Box>
          <Button submit loading={fetcher.state !== "idle"} accessibilityLabel={`${t.intervalSave} ${row.title}`}>{t.intervalSave}</Button>
          {outcome?.ok ? <Text as="span" tone="success">{t.intervalSaved}</Text> : null}
          {row.replenishmentDays !== null ? (
            <Button variant="plain" onClick={() => { setDays(""); submit(""); }} accessibilityLabel={`${t.intervalClear} ${row.title}`}>
              {t.intervalClear}
            </Button>
          ) : null}
        </InlineStack>
      </InlineStack>
    </fetcher.Form>
  );
}
