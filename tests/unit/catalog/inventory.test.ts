import { describe, expect, it } from "vitest";
import { inventoryLevelPayload as levelSchema, isRestock } from "../../../app/catalog/inventory.server";
import { inventoryLevelPayload } from "../../fakes/shopify/payloads";

describe("inventory levels", () => {
  it("counts a restock only when stock goes from none or unknown to some", () => {
    expect(isRestock(0, 3)).toBe(true);
    expect(isRestock(-2, 1)).toBe(true);
    expect(isRestock(null, 1)).toBe(true);
    expect(isRestock(undefined, 1)).toBe(true);
    expect(isRestock(2, 5)).toBe(false);
    expect(isRestock(0, 0)).toBe(false);
    expect(isRestock(3, null)).toBe(false);
  });

  it("reads Shopify's inventory level payload, including untracked items (available null)", () => {
    const at = new Date("2026-11-20T10:00:00Z");
    expect(levelSchema.parse(inventoryLevelPayload({ inventoryItemId: 5, locationId: 6, available: 7, updatedAt: at }))).toEqual({
      inventory_item_id: "5", location_id: "6", available: 7, updated_at: at,
    });
    expect(levelSchema.parse(inventoryLevelPayload({ inventoryItemId: 5, locationId: 6, available: null, updatedAt: at })).available).toBeNull();
    expect(levelSchema.safeParse({ location_id: 6, available: 1, updated_at: at.toISOString() }).success).toBe(false);
  });
});
