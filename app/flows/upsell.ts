import { acceptsMarketing, type ShopperState } from "./abandoned-cart";
import { isHeldOut } from "./holdout";
import { DAY, addMs, linkButton, productUrl, withUtm, type FlowPlan, type PlanKeys } from "./plan";
import type { UpsellConfig } from "./settings";

/**
 * Upsell / cross-sell: some days after an order, recommend what this shop's customers most often
 * buy together with what was bought, leaving out what the shopper already has; without enough
 * evidence, the product the merchant picked. Body parameters: {{1}} recommended product,
 * {{2}} the product bought.
 */
export interface Recommendation {
  productId: string;
  /** A variant of it, so the send-time check can find the product */
  variantId: string;
  title: string;
  handle: string | null;
  status: string | null;
  /** Orders of this shop that contain both; 0 for the merchant's pick */
  coPurchases: number;
}

const isActive = (r: Recommendation) => !r.status || r.status.toLowerCase() === "active";

export function chooseRecommendation(
  candidates: Recommendation[],
  fallback: Recommendation | null,
  owned: Set<string>,
  minCoPurchases: number,
): Recommendation | null {
  const ranked = [...candidates].sort((a, b) => b.coPurchases - a.coPurchases || a.productId.localeCompare(b.productId));
  const best = ranked.find((c) => c.coPurchases >= minCoPurchases && isActive(c) && !owned.has(c.productId));
  if (best) return best;
  if (fallback && isActive(fallback) && !owned.has(fallback.productId)) return fallback;
  return null;
}

export function planUpsell(input: {
  shop: string;
  order: { id: string; placedAt: Date; cancelled: boolean; firstTitle: string };
  /** Products this customer has bought, this order included */
  owned: Set<string>;
  candidates: Recommendation[];
  fallback: Recommendation | null;
  subscriber: ShopperState | null;
  setting: { enabled: boolean; holdoutPercent: number; config: UpsellConfig };
  keys: PlanKeys;
  now: Date;
}): FlowPlan {
  const { shop, order, subscriber, setting, keys, now } = input;
  if (!setting.enabled || order.cancelled || !acceptsMarketing(subscriber)) return { messages: [], cancellations: [] };
  const pick = chooseRecommendation(input.candidates, input.fallback, input.owned, setting.config.minCoPurchases);
  if (!pick) return { messages: [], cancellations: [] };
  const sendAt = addMs(order.placedAt, setting.config.delayDays * DAY);
  if (sendAt.getTime() + setting.config.validDays * DAY <= now.getTime()) return { messages: [], cancellations: [] };
  const dedupKey = `upsell:${order.id}`;
  const token = keys.linkToken(shop, dedupKey);
  return {
    messages: [
      {
        notification: {
          shop,
          flow: "upsell",
          dedupKey,
          subscriberId: subscriber.id,
          sendAt: sendAt.getTime() < now.getTime() ? now : sendAt,
          expiresAt: addMs(sendAt, setting.config.validDays * DAY),
          templateName: setting.config.templateName,
          templateLanguage: setting.config.language,
          params: { body: [pick.title, order.firstTitle], buttons: linkButton(token) },
          orderId: order.id,
          variantId: pick.variantId,
        },
        link: { token, destination: withUtm(productUrl(shop, pick.handle, pick.variantId), "upsell") },
        heldOut: isHeldOut(shop, "upsell", subscriber.id, setting.holdoutPercent),
      },
    ],
    cancellations: [],
  };
}
