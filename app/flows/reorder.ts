import { acceptsMarketing, type ShopperState } from "./abandoned-cart";
import { isHeldOut } from "./holdout";
import { DAY, addMs, linkButton, productUrl, withUtm, type FlowPlan, type PlanKeys, type PlannedMessage } from "./plan";
import type { ReorderConfig } from "./settings";

/**
 * Time to reorder: one reminder per product of a paid order, when the product typically runs
 * out. The interval is the merchant's (Product.replenishmentDays), else learned from this shop's
 * own repeat purchases once there are enough of them, else the flow's default.
 * Body parameters: {{1}} product title, {{2}} days since the order.
 */
export interface ReorderProduct {
  productId: string;
  variantId: string | null;
  title: string;
  handle: string | null;
  replenishmentDays: number | null;
  /** Days between consecutive purchases of this product by the same customer, shop-wide */
  repeatGapsDays: number[];
}

export type IntervalSource = "merchant" | "learned" | "default";

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The gaps that count as replenishment; same-day repeats are usually split shipments or corrections. */
export function repeatSamples(repeatGapsDays: number[]): number[] {
  return repeatGapsDays.filter((d) => d >= 1);
}

export function chooseInterval(
  product: Pick<ReorderProduct, "replenishmentDays" | "repeatGapsDays">,
  config: Pick<ReorderConfig, "defaultDays" | "minSamples">,
): { days: number; source: IntervalSource } {
  if (product.replenishmentDays && product.replenishmentDays > 0) return { days: product.replenishmentDays, source: "merchant" };
  const gaps = repeatSamples(product.repeatGapsDays);
  const learned = gaps.length >= config.minSamples ? median(gaps) : null;
  if (learned !== null) return { days: Math.max(1, Math.round(learned)), source: "learned" };
  return { days: config.defaultDays, source: "default" };
}

export function planReorder(input: {
  shop: string;
  order: { id: string; placedAt: Date; cancelled: boolean };
  products: ReorderProduct[];
  subscriber: ShopperState | null;
  setting: { enabled: boolean; holdoutPercent: number; config: ReorderConfig };
  keys: PlanKeys;
  now: Date;
}): FlowPlan {
  const { shop, order, subscriber, setting, keys, now } = input;
  if (!setting.enabled || order.cancelled || !acceptsMarketing(subscriber)) return { messages: [], cancellations: [] };
  const heldOut = isHeldOut(shop, "reorder", subscriber.id, setting.holdoutPercent);
  const seen = new Set<string>();
  const messages: PlannedMessage[] = [];
  for (const product of input.products) {
    if (seen.has(product.productId)) continue;
    seen.add(product.productId);
    const { days } = chooseInterval(product, setting.config);
    const sendAt = addMs(order.placedAt, days * DAY);
    // A reminder whose moment passed while the event waited is no longer "time to reorder".
    if (sendAt.getTime() <= now.getTime()) continue;
    const dedupKey = `reorder:${order.id}:${product.productId}`;
    const token = keys.linkToken(shop, dedupKey);
    messages.push({
      notification: {
        shop,
        flow: "reorder",
        dedupKey,
        subscriberId: subscriber.id,
        sendAt,
        expiresAt: addMs(sendAt, setting.config.validDays * DAY),
        templateName: setting.config.templateName,
        templateLanguage: setting.config.language,
        params: { body: [product.title, String(days)], buttons: linkButton(token) },
        orderId: order.id,
        variantId: product.variantId,
      },
      link: { token, destination: withUtm(productUrl(shop, product.handle, product.variantId), "reorder") },
      heldOut,
    });
  }
  return { messages, cancellations: [] };
}
