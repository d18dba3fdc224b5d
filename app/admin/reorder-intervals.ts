import { chooseInterval, repeatSamples, type IntervalSource, type ReorderProduct } from "../flows/reorder";
import type { ReorderConfig } from "../flows/settings";

/**
 * The interval the reorder planner would use for a product, and why, as the settings page shows
 * it. Built on the planner's own choice so the page never promises a timing the planner ignores.
 */
export interface IntervalInUse {
  days: number;
  source: IntervalSource;
  /** Repeat purchases the learned interval is based on */
  samples: number;
}

export function intervalInUse(
  product: Pick<ReorderProduct, "replenishmentDays" | "repeatGapsDays">,
  config: Pick<ReorderConfig, "defaultDays" | "minSamples">,
): IntervalInUse {
  const { days, source } = chooseInterval(product, config);
  return { days, source, samples: repeatSamples(product.repeatGapsDays).length };
}

export interface ProductInterval extends IntervalInUse {
  productId: string;
  title: string;
  orders: number;
  replenishmentDays: number | null;
}
