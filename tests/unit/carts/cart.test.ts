import { describe, expect, it } from "vitest";
import { cartPayload as cartSchema, mapCart } from "../../../app/carts/cart.server";
import { cartPayload } from "../../fakes/shopify/payloads";

const at = new Date("2026-11-20T10:00:00Z");

describe("mapCart", () => {
  it("maps Shopify's cart payload to lines, item count, total and currency", () => {
    const payload = cartSchema.parse(
      cartPayload({
        token: "tok-1",
        lines: [
          { variantId: 11, productId: 21, title: "Mug - Blue", quantity: 2, price: "12.50" },
          { variantId: 12, productId: 22, title: "Beans", quantity: 1, price: "9.99" },
        ],
        updatedAt: at,
        currency: "EUR",
      }),
    );
    expect(mapCart(payload)).toEqual({
      token: "tok-1",
      lines: [
        { variantId: "11", productId: "21", title: "Mug - Blue", quantity: 2, price: "12.50" },
        { variantId: "12", productId: "22", title: "Beans", quantity: 1, price: "9.99" },
      ],
      itemCount: 3,
      totalPrice: "34.99",
      currency: "EUR",
      status: "open",
      shopifyUpdatedAt: at,
    });
  });

  it("calls a cart with no items (or only zero quantities) emptied", () => {
    const empty = mapCart(cartSchema.parse(cartPayload({ lines: [], updatedAt: at })));
    expect(empty).toMatchObject({ status: "emptied", itemCount: 0, totalPrice: "0.00", lines: [] });
    const zero = mapCart(cartSchema.parse(cartPayload({ lines: [{ variantId: 1, productId: 2, title: "x", quantity: 0, price: "1.00" }], updatedAt: at })));
    expect(zero.status).toBe("emptied");
  });

  it("refuses a payload with a negative quantity or a price that is not money", () => {
    const base = cartPayload({ lines: [{ variantId: 1, productId: 2, title: "x", quantity: 1, price: "1.00" }], updatedAt: at });
    expect(cartSchema.safeParse({ ...base, line_items: [{ ...base.line_items[0], quantity: -1 }] }).success).toBe(false);
    expect(cartSchema.safeParse({ ...base, line_items: [{ ...base.line_items[0], price: "free" }] }).success).toBe(false);
  });
});
