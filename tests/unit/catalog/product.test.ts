import { describe, expect, it } from "vitest";
import { mapProduct, productPayload as productSchema } from "../../../app/catalog/product.server";
import { productPayload } from "../../fakes/shopify/payloads";

const at = new Date("2026-11-20T10:00:00Z");

describe("mapProduct", () => {
  it("maps variants with their inventory item, stock and policy, and the product image", () => {
    const raw = productPayload({
      id: 1,
      title: "Kettle",
      handle: "kettle",
      imageSrc: "https://cdn.example/kettle.jpg",
      variants: [{ id: 2, inventoryItemId: 3, price: "49.00", title: "Steel", sku: "K-1", inventoryQuantity: 4, inventoryPolicy: "continue" }],
      updatedAt: at,
    });
    expect(mapProduct(productSchema.parse(raw))).toEqual({
      id: "1",
      title: "Kettle",
      handle: "kettle",
      status: "active",
      imageUrl: "https://cdn.example/kettle.jpg",
      shopifyUpdatedAt: at,
      variants: [
        { id: "2", title: "Steel", sku: "K-1", price: "49.00", inventoryItemId: "3", inventoryQuantity: 4, inventoryPolicy: "continue", inventoryTracked: true, shopifyUpdatedAt: at },
      ],
    });
  });

  it("uses the first image when there is no featured one, and marks untracked variants", () => {
    const raw = productPayload({ id: 1, title: "Kettle", variants: [{ id: 2, inventoryItemId: 3, price: "1.00" }], updatedAt: at });
    const withImages = { ...raw, image: null, images: [{ src: "https://cdn.example/second.jpg" }], variants: [{ ...raw.variants[0], inventory_management: null }] };
    const product = mapProduct(productSchema.parse(withImages));
    expect(product.imageUrl).toBe("https://cdn.example/second.jpg");
    expect(product.variants[0].inventoryTracked).toBe(false);
  });
});
