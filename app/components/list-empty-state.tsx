import { BlockStack, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

/** What a list page shows inside its card when there is nothing to list yet. */
export function ListEmptyState({ title, body, action }: { title: string; body: string; action?: ReactNode }) {
  return (
    <div style={{ padding: 48, textAlign: "center" }}>
      <BlockStack gap={action ? "300" : "200"} inlineAlign={action ? "center" : undefined}>
        <Text as="h2" variant="headingMd">{title}</Text>
        <Text as="p" tone="subdued">{body}</Text>
        {action}
      </BlockStack>
    </div>
  );
}
