import { BlockStack, Checkbox, Text } from "@shopify/polaris";
import { useState } from "react";
import { en, fill } from "../i18n/admin";
import { formatDateTime } from "./money";

const t = en.metaSignals;

/** "Meta's limit: 2,000 people a day (read …)" and the number's quality, as Meta last said them. */
export function MetaLimits(props: { limit: number; readAt: string | null; timezone: string; qualityRating: string | null; qualityEvent: string | null }) {
  const people = props.limit === 0 ? t.unlimited : fill(t.people, { count: props.limit.toLocaleString("en") });
  const quality = props.qualityEvent === "FLAGGED" ? "FLAGGED" : props.qualityRating;
  return (
    <BlockStack gap="100">
      <Text as="p">
        {props.readAt ? fill(t.limitRead, { people, at: formatDateTime(props.readAt, props.timezone) }) : fill(t.limitNotRead, { people })}
      </Text>
      {quality ? <Text as="p" tone={quality === "GREEN" ? "subdued" : "caution"}>{t.quality[quality] ?? fill(t.qualityOther, { rating: quality })}</Text> : null}
    </BlockStack>
  );
}

/** The two settings that follow Meta's rules: the US marketing block and the Marketing Messages API. */
export function MetaSendingFields({ blockUsMarketing, useMarketingMessagesApi }: { blockUsMarketing: boolean; useMarketingMessagesApi: boolean }) {
  const [blockUs, setBlockUs] = useState(blockUsMarketing);
  const [mmApi, setMmApi] = useState(useMarketingMessagesApi);
  return (
    <BlockStack gap="200">
      <input type="hidden" name="blockUsMarketing" value={blockUs ? "true" : "false"} />
      <input type="hidden" name="useMarketingMessagesApi" value={mmApi ? "true" : "false"} />
      <Checkbox label={t.blockUs} helpText={t.blockUsHelp} checked={blockUs} onChange={setBlockUs} />
      <Checkbox label={t.mmApi} helpText={t.mmApiHelp} checked={mmApi} onChange={setMmApi} />
    </BlockStack>
  );
}
