import { describe, expect, it } from "vitest";
import { mapOrder, orderPayload as orderSchema } from "../../../app/orders/order.server";
import { orderPayload } from "../../fakes/shopify/payloads";

const created = new Date("2026-11-20T10:00:00Z");

describe("mapOrder", () => {
  it("keeps line item properties, ids as strings, tokens and the total", () => {
    const raw = orderPayload({
      id: 4500,
      cartToken: "cart-1",
      checkoutToken: "chk-1",
      email: "a@example.com",
      phone: "+34612345678",
      customer: { id: 77, email: "other@example.com" },
      lines: [{ variantId: 11, productId: 21, title: "Haircut", quantity: 1, price: "30.00", properties: [{ name: "Appointment", value: "2026-12-01 10:00" }] }],
      createdAt: created,
      financialStatus: "paid",
    });
    const order = mapOrder(orderSchema.parse(raw));
    expect(order).toMatchObject({
      id: "4500",
      name: raw.name,
      customerId: "77",
      rawPhone: "+34612345678",
      email: "a@example.com",
      cartToken: "cart-1",
      checkoutToken: "chk-1",
      totalPrice: "30.00",
      currency: "USD",
      financialStatus: "paid",
      placedAt: created,
    });
    expect(order.lines).toEqual([
      { id: String(raw.line_items[0].id), productId: "21", variantId: "11", title: "Haircut", quantity: 1, price: "30.00", properties: [{ name: "Appointment", value: "2026-12-01 10:00" }] },
    ]);
  });

  it("finds the phone on the shipping or billing address, then the customer", () => {
    const viaAddress = orderPayload({ shippingPhone: "612 000 999", customer: { id: 1, phone: "+34600000000" }, lines: [], createdAt: created });
    expect(mapOrder(orderSchema.parse(viaAddress)).rawPhone).toBe("612 000 999");
    const viaCustomer = orderPayload({ customer: { id: 1, phone: "+34600000000" }, lines: [], createdAt: created });
    expect(mapOrder(orderSchema.parse(viaCustomer)).rawPhone).toBe("+34600000000");
  });

  it("places the order at processed_at (imported orders are processed before they are created)", () => {
    const raw = { ...orderPayload({ lines: [], createdAt: created }), processed_at: "2026-11-01T08:00:00Z" };
    expect(mapOrder(orderSchema.parse(raw)).placedAt.toISOString()).toBe("2026-11-01T08:00:00.000Z");
  });

  it("turns non-text property values into JSON text", () => {
    const raw = orderPayload({ lines: [{ variantId: 1, productId: 2, title: "x", quantity: 1, price: "1.00" }], createdAt: created });
    (raw.line_items[0] as { properties: unknown }).properties = [{ name: "Guests", value: 3 }];
    expect(mapOrder(orderSchema.parse(raw)).lines[0].properties).toEqual([{ name: "Guests", value: "3" }]);
  });
});
