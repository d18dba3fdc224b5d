import { describe, expect, it } from "vitest";
import { checkoutPayload as checkoutSchema, mapCheckout } from "../../../app/checkouts/checkout.server";
import { checkoutPayload } from "../../fakes/shopify/payloads";

const at = new Date("2026-11-20T10:00:00Z");
const lines = [{ variantId: 11, productId: 21, title: "Mug", quantity: 2, price: "12.50" }];

describe("mapCheckout", () => {
  it("takes cart token, contact, recovery link, total and completion from the payload", () => {
    const raw = checkoutPayload({ token: "chk-1", cartToken: "cart-1", email: "a@example.com", phone: "+34612345678", customer: { id: 99 }, lines, updatedAt: at, completedAt: at, currency: "EUR" });
    const checkout = mapCheckout(checkoutSchema.parse(raw));
    expect(checkout).toMatchObject({
      token: "chk-1",
      cartToken: "cart-1",
      customerId: "99",
      rawPhone: "+34612345678",
      email: "a@example.com",
      recoveryUrl: raw.abandoned_checkout_url,
      totalPrice: "25.00",
      currency: "EUR",
      completedAt: at,
      shopifyUpdatedAt: at,
    });
    expect(checkout.lines).toEqual([{ variantId: "11", productId: "21", title: "Mug", quantity: 2, price: "12.50" }]);
  });

  it("falls back to the shipping address phone, then the customer's, and to the customer's email", () => {
    const shipping = mapCheckout(checkoutSchema.parse(checkoutPayload({ shippingPhone: "612 111 222", customer: { id: 1, phone: "+34699000000", email: "c@example.com" }, lines, updatedAt: at })));
    expect(shipping.rawPhone).toBe("612 111 222");
    expect(shipping.email).toBe("c@example.com");
    const customerOnly = mapCheckout(checkoutSchema.parse(checkoutPayload({ customer: { id: 1, phone: "+34699000000" }, lines, updatedAt: at })));
    expect(customerOnly.rawPhone).toBe("+34699000000");
    const nobody = mapCheckout(checkoutSchema.parse(checkoutPayload({ phone: "  ", lines, updatedAt: at })));
    expect(nobody).toMatchObject({ rawPhone: null, email: null, customerId: null, cartToken: null });
  });
});
