import { Card, Text } from "@shopify/polaris";
import type { PromotionConfig } from "../../flows/settings/promotion";
import { en } from "../../i18n/admin";
import type { FlowFormProps } from "./types";

/** Promotions have nothing to set here: each campaign picks its template and audience. */
export function PromotionForm({ frame }: FlowFormProps<PromotionConfig>) {
  return frame({
    usesTemplates: false,
    preview: { template: "", discount: false, days: "" },
    fields: <Card><Text as="p">{en.flow.promotionNote}</Text></Card>,
  });
}
