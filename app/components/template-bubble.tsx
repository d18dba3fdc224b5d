import { BlockStack, Box, Text } from "@shopify/polaris";
import type { RenderedTemplate } from "../admin/template-preview";

/** A template as the shopper sees it in WhatsApp: a green bubble, its buttons below. */
export function TemplateBubble({ rendered, testId = "template-preview" }: { rendered: RenderedTemplate; testId?: string }) {
  return (
    <div data-testid={testId} style={{ maxWidth: 360 }}>
      <Box background="bg-surface-success" padding="300" borderRadius="300">
        <BlockStack gap="200">
          {rendered.header ? <Text as="p" fontWeight="bold">{rendered.header}</Text> : null}
          <Text as="p"><span style={{ whiteSpace: "pre-wrap" }}>{rendered.body}</span></Text>
          {rendered.footer ? <Text as="p" tone="subdued" variant="bodySm">{rendered.footer}</Text> : null}
        </BlockStack>
      </Box>
      {rendered.buttons.map((label, i) => (
        <Box key={i} paddingBlockStart="100">
          <Box background="bg-surface" padding="200" borderRadius="300" borderWidth="025" borderColor="border">
            <Text as="p" alignment="center" tone="magic">{label}</Text>
          </Box>
        </Box>
      ))}
    </div>
  );
}
