import { acceptsMarketing, type ShopperState } from "./abandoned-cart";
import { isHeldOut } from "./holdout";
import { DAY, addMs, linkButton, productUrl, withUtm, type FlowPlan, type PlanKeys } from "./plan";
import type { UpsellConfig } from "./settings";

/**
 * Upsell / cross-sell: some days after an order, recommend what this shop's customers most often
 * buy together with what was bought, leaving out what the shopper already has; without enough
 * evidence, the product the merchant picked, else the first suitable product of the collection
 * the merchant picked, in the collection's own order. Body parameters: {{1}} recommended
 * product, {{2}} the product bought.
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
  /** Whether the variant can be bought now; left out where it was not looked up */
  inStock?: boolean;
}

// Product status is ACTIVE / DRAFT / ARCHIVED in GraphQL and lower case in REST webhooks.
const isActive = (r: Recommendation) => !r.status || r.status.toLowerCase() === "active";
const suitable = (r: Recommendation, owned: Set<string>) => isActive(r) && r.inStock !== false && !owned.has(r.productId);

/** The co-purchase pairing strong enough to recommend, if any. */
export function bestCoPurchase(candidates: Recommendation[], owned: Set<string>, minCoPurchases: number): Recommendation | null {
  const ranked = [...candidates].sort((a, b) => b.coPurchases - a.coPurchases || a.productId.localeCompare(b.productId));
  return ranked.find((c) => c.coPurchases >= minCoPurchases && suitable(c, owned)) ?? null;
}

/**
 * Co-purchases first; then the merchant's single product; then the collection's products in
 * the order given (the collection's own sort order), skipping any not active, sold out or
 * already owned.
 */
export function chooseRecommendation(
  candidates: Recommendation[],
  fallback: Recommendation | null,
  owned: Set<string>,
  minCoPurchases: number,
  collection: Recommendation[] = [],
): Recommendation | null {
  const best = bestCoPurchase(candidates, owned, minCoPurchases);
  if (best) return best;
  return [...(fallback ? [fallback] : []), ...collection].find((r) => suitable(r, owned)) ?? null;
}

export function planUpsell(input: {
  shop: string;
  order: { id: string; placedAt: Date; cancelled: boolean; firstTitle: string };
  /** Products this customer has bought, this order included */
  owned: Set<string>;
  candidates: Recommendation[];
  fallback: Recommendation | null;
  /** The merchant's fallback collection in its own order; empty when none is set */
  collectionFallback?: Recommendation[];
  subscriber: ShopperState | null;
  setting: { enabled: boolean; holdoutPercent: number; config: UpsellConfig };
  keys: PlanKeys;
  now: Date;
}): FlowPlan {
  const { shop, order, subscriber, setting, keys, now } = input;
  if (!setting.enabled || order.cancelled || !acceptsMarketing(subscriber)) return { messages: [], cancellations: [] };
  const pick = chooseRecommendation(
    input.candidates,
    input.fallback,
    input.owned,
    setting.config.minCoPurchases,
    input.collectionFallback,
  );
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
