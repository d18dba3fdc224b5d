import { describe, expect, it } from "vitest";
import { idFromGid, money, shopifyId, sumMoney, timestamp } from "../../../app/webhooks/shopify-fields";

describe("Shopify payload scalars", () => {
  it("reads ids given as numbers or numeric strings, and refuses anything else", () => {
    expect(shopifyId.parse(7400000000001)).toBe("7400000000001");
    expect(shopifyId.parse("123")).toBe("123");
    for (const bad of [-1, 1.5, "12a", "", null, "gid://shopify/Product/1"]) expect(shopifyId.safeParse(bad).success).toBe(false);
  });

  it("keeps 64-bit ids exact and refuses ones that were rounded on the way or do not fit", () => {
    // Shopify's example ids, as parseShopifyJson hands them over.
    expect(shopifyId.parse("704912205188288575")).toBe("704912205188288575");
    expect(shopifyId.parse("18446744073709551615")).toBe("18446744073709551615");
    // A plain JSON.parse turned 704912205188288575 into this number: not a safe integer, refused.
    expect(shopifyId.safeParse(704912205188288600).success).toBe(false);
    expect(shopifyId.safeParse("18446744073709551616").success).toBe(false);
    expect(shopifyId.safeParse("123456789012345678901").success).toBe(false);
  });

  it("keeps money as a decimal string", () => {
    expect(money.parse("19.99")).toBe("19.99");
    expect(money.parse(5)).toBe("5.00");
    expect(money.safeParse("19,99").success).toBe(false);
    expect(money.safeParse("NaN").success).toBe(false);
  });

  it("reads ISO 8601 times with offsets as instants", () => {
    expect(timestamp.parse("2026-11-20T10:00:00-05:00").toISOString()).toBe("2026-11-20T15:00:00.000Z");
    expect(timestamp.safeParse("yesterday").success).toBe(false);
    expect(timestamp.safeParse("-1").success).toBe(false); // Date.parse reads it as 2001
    expect(timestamp.safeParse("' OR '1'='1").success).toBe(false);
  });

  it("sums prices without float drift and reads GID tails", () => {
    expect(sumMoney([{ price: "0.10", quantity: 3 }, { price: "0.20", quantity: 1 }])).toBe("0.50");
    expect(idFromGid("gid://shopify/ProductVariant/42")).toBe("42");
    expect(idFromGid("gid://shopify/InventoryLevel/9?inventory_item_id=5")).toBe("9");
  });
});
