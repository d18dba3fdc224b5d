import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import { en, fill } from "../../i18n/admin";
import { formatMoney } from "../money";

const t = en.flow;

/** The abandoned-cart page's results per step over the last 30 days. */
export function StepResultsCard({ currency, steps }: { currency: string; steps: Array<{ step: number; sent: number; clicked: number; orders: number; revenue: string }> }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t.stepResultsTitle}</Text>
        <div data-testid="step-results">
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
            headings={[t.stepResultsMessage, t.stepResultsSent, t.stepResultsClicked, t.stepResultsOrders, t.stepResultsRevenue]}
            rows={steps.map((s) => [fill(t.step, { n: s.step }), s.sent, s.clicked, s.orders, formatMoney(s.revenue, currency)])}
          />
        </div>
      </BlockStack>
    </Card>
  );
}
