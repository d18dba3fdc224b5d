import { describe, expect, it } from "vitest";
import { planKeys } from "../../../app/flows/plan";
import { defaultFlowConfig } from "../../../app/flows/settings";
import { chooseRecommendation, planUpsell, type Recommendation } from "../../../app/flows/upsell";

const shop = "upsell.myshopify.com";
const D = 86_400_000;
const subscriber = { id: "sub-1", status: "subscribed" as const, scope: "marketing" as const, marketingStoppedAt: null };
const rec = (productId: string, over: Partial<Recommendation> = {}): Recommendation => ({
  productId, variantId: `v-${productId}`, title: `Product ${productId}`, handle: productId, status: "ACTIVE", coPurchases: 0, inStock: true, ...over,
});
const owned = new Set(["bought", "earlier"]);

describe("cross-sell collection fallback", () => {
  it("takes the collection's first product that is active, in stock and not owned, in the collection's order", () => {
    const collection = [
      rec("earlier"),
      rec("draft", { status: "DRAFT" }),
      rec("archived", { status: "archived" }),
      rec("sold-out", { inStock: false }),
      rec("mug"),
      rec("filters"),
    ];
    expect(chooseRecommendation([], null, owned, 3, collection)?.productId).toBe("mug");
    expect(chooseRecommendation([], null, owned, 3, collection.slice(0, 4))).toBeNull();
  });

  it("uses co-purchases when there are enough, and the collection when they are too thin", () => {
    const collection = [rec("mug")];
    expect(chooseRecommendation([rec("grinder", { coPurchases: 3 })], null, owned, 3, collection)?.productId).toBe("grinder");
    expect(chooseRecommendation([rec("grinder", { coPurchases: 2 })], null, owned, 3, collection)?.productId).toBe("mug");
    // A strong pairing the shopper already owns is no evidence for them.
    expect(chooseRecommendation([rec("earlier", { coPurchases: 40 })], null, owned, 3, collection)?.productId).toBe("mug");
  });

  it("tries the merchant's single product before the collection, and skips it when sold out", () => {
    const collection = [rec("mug")];
    expect(chooseRecommendation([], rec("scale"), owned, 3, collection)?.productId).toBe("scale");
    expect(chooseRecommendation([], rec("scale", { inStock: false }), owned, 3, collection)?.productId).toBe("mug");
  });

  it("plans the message for the collection's pick with its variant and link", () => {
    const placedAt = new Date("2026-02-01T09:00:00Z");
    const setting = { enabled: true, holdoutPercent: 0, config: { ...defaultFlowConfig("upsell"), fallbackCollectionId: "77" } };
    const plan = planUpsell({
      shop, order: { id: "o1", placedAt, cancelled: false, firstTitle: "Beans" }, owned,
      candidates: [rec("grinder", { coPurchases: 1 })], fallback: null, collectionFallback: [rec("sold-out", { inStock: false }), rec("mug")],
      subscriber, setting, keys: planKeys("secret"), now: placedAt,
    });
    expect(plan.messages).toHaveLength(1);
    expect(plan.messages[0].notification).toMatchObject({ variantId: "v-mug", sendAt: new Date(placedAt.getTime() + 7 * D), dedupKey: "upsell:o1" });
    expect(plan.messages[0].notification.params.body).toEqual(["Product mug", "Beans"]);
    expect(new URL(plan.messages[0].link!.destination).pathname).toBe("/products/mug");
  });
});
