import type { BadgeProps } from "@shopify/polaris";

/** Badge colours for message and campaign states: green reached the shopper, red did not. */
export function statusTone(status: string): BadgeProps["tone"] {
  switch (status) {
    case "delivered":
    case "read":
    case "sent":
      return "success";
    case "failed":
      return "critical";
    case "skipped":
    case "cancelled":
    case "held_out":
      return undefined;
    case "scheduled":
    case "sending":
    case "draft":
      return "info";
    default:
      return "attention";
  }
}
