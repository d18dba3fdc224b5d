import { describe, expect, it } from "vitest";
import { planAbandonedCart } from "../../../app/flows/abandoned-cart";
import { planAppointments } from "../../../app/flows/appointment";
import { planRestock, restockParams } from "../../../app/flows/back-in-stock";
import { planKeys } from "../../../app/flows/plan";
import { promotionParams } from "../../../app/flows/promotion";
import { planReorder } from "../../../app/flows/reorder";
import { cartStepShape, FIXED_SHAPES, promotionShape } from "../../../app/flows/send-shape";
import { defaultFlowConfig, readFlowConfig } from "../../../app/flows/settings";
import { planUpsell } from "../../../app/flows/upsell";
import { paramsShape, templateFits } from "../../../app/outbox/template-fit";
import { CONFIRM_PAYLOAD, STOP_PAYLOAD } from "../../../app/consent/keywords";
import { confirmationParams } from "../../../app/consent/optin.server";

/**
 * The declared shapes (app/flows/send-shape.ts) against the parameters the flows really build:
 * a builder that starts sending one more value fails here, not at Meta.
 */
const shop = "shape.myshopify.com";
const keys = planKeys("secret");
const subscriber = { id: "sub-1", status: "subscribed" as const, scope: "marketing" as const, marketingStoppedAt: null };
const at = new Date("2026-03-10T10:00:00Z");

describe("declared send shapes match the flows' builders", () => {
  it("abandoned cart: two values without a discount, three with one, and the cart link", () => {
    const plan = planAbandonedCart({
      shop,
      cart: {
        token: "c1", status: "open", lines: [{ variantId: "1", title: "Shirt", quantity: 1, price: "10.00" }], totalPrice: "10.00",
        currency: "EUR", lastChangedAt: at, recoveryUrl: null, ordered: false, sentSteps: [],
      },
      subscriber,
      setting: { enabled: true, holdoutPercent: 0, config: defaultFlowConfig("abandoned_cart") },
      keys,
      now: at,
    });
    const steps = defaultFlowConfig("abandoned_cart").steps;
    expect(plan.messages).toHaveLength(steps.length);
    expect(steps.some((s) => s.discount) && steps.some((s) => !s.discount)).toBe(true);
    for (const [i, m] of plan.messages.entries()) expect(paramsShape(m.notification.params)).toEqual(cartStepShape(steps[i]));
  });

  it("back in stock: the planner's body and the fan-out's derived link", () => {
    const decision = planRestock({
      shop,
      event: { variantId: "v1", available: 3, restockId: "r1" },
      catalog: { productTitle: "Mug", variantTitle: "Blue", handle: "mug", currentlySellable: true },
      setting: { enabled: true, holdoutPercent: 0, config: defaultFlowConfig("back_in_stock") },
      now: at,
    });
    if (!("fanOut" in decision)) throw new Error("expected a fan-out");
    expect(paramsShape(restockParams(decision.fanOut.body))).toEqual(FIXED_SHAPES.back_in_stock);
  });

  it("reorder and upsell: two values and the product link", () => {
    const reorder = planReorder({
      shop, order: { id: "o1", placedAt: at, cancelled: false },
      products: [{ productId: "p1", variantId: "v1", title: "Coffee", handle: "coffee", replenishmentDays: 14, repeatGapsDays: [] }],
      subscriber, setting: { enabled: true, holdoutPercent: 0, config: defaultFlowConfig("reorder") }, keys, now: at,
    });
    expect(paramsShape(reorder.messages[0].notification.params)).toEqual(FIXED_SHAPES.reorder);
    const upsell = planUpsell({
      shop, order: { id: "o1", placedAt: at, cancelled: false, firstTitle: "Shirt" }, owned: new Set(["p1"]),
      candidates: [{ productId: "p5", variantId: "v5", title: "Belt", handle: "belt", status: "active", coPurchases: 4 }],
      fallback: null, subscriber, setting: { enabled: true, holdoutPercent: 0, config: defaultFlowConfig("upsell") }, keys, now: at,
    });
    expect(paramsShape(upsell.messages[0].notification.params)).toEqual(FIXED_SHAPES.upsell);
  });

  it("appointment: three values, no buttons", () => {
    const plan = planAppointments({
      shop, timeZone: "Europe/Madrid", now: new Date("2026-03-20T12:00:00Z"), subscriber: { ...subscriber, scope: "utility" },
      setting: { enabled: true, config: readFlowConfig("appointment", { hoursBefore: 24 }) },
      order: { id: "o1", cancelled: false, lines: [{ lineItemId: "l1", title: "Haircut", properties: [{ name: "Booking date", value: "2026-03-30 10:30" }] }] },
    });
    expect(plan.messages.length).toBeGreaterThan(0);
    expect(paramsShape(plan.messages[0].notification.params)).toEqual(FIXED_SHAPES.appointment);
  });

  it("promotion: the campaign's values and the link", () => {
    expect(paramsShape(promotionParams(["Spring", "20%"], "tok"))).toEqual(promotionShape(2));
  });

  it("opt-in confirmation: the store name, confirm at 0 and stop at 1", () => {
    const params = confirmationParams("Store");
    expect(paramsShape(params)).toEqual(FIXED_SHAPES.optin_confirmation);
    // The confirm payload on the first button: the inbound handler reads which one was tapped.
    expect(params.buttons).toEqual([
      { index: 0, type: "quick_reply", payload: CONFIRM_PAYLOAD },
      { index: 1, type: "quick_reply", payload: STOP_PAYLOAD },
    ]);
  });
});

const body = (text: string) => ({ type: "BODY", text });
const buttons = (...list: object[]) => ({ type: "BUTTONS", buttons: list });
const urlButton = { type: "URL", text: "Open", url: "https://app.example/r/{{1}}" };
const stop = { type: "QUICK_REPLY", text: "Stop promotions" };

describe("templateFits", () => {
  const link2 = FIXED_SHAPES.back_in_stock;

  it("accepts a template whose body, header and buttons carry exactly what the flow sends", () => {
    expect(templateFits(link2, [{ type: "HEADER", format: "TEXT", text: "Back!" }, body("{{1}} in {{2}} is back, {{1}}"), buttons(urlButton, stop)])).toEqual([]);
    expect(templateFits(FIXED_SHAPES.appointment, [body("{{1}} on {{2}} at {{3}}"), buttons({ type: "PHONE_NUMBER", text: "Call", phone_number: "+34600" })])).toEqual([]);
  });

  it("names a body with a different number of variables", () => {
    expect(templateFits(cartStepShape({ discount: { kind: "percentage" } }), [body("{{1}} {{2}}"), buttons(urlButton)])).toEqual([
      "body has 2 variables, the flow sends 3",
    ]);
    expect(templateFits(link2, [body("Hello"), buttons(urlButton)])).toEqual(["body has 0 variables, the flow sends 2"]);
  });

  it("names gaps and named variables", () => {
    expect(templateFits(link2, [body("{{1}} {{3}}"), buttons(urlButton)])).toEqual(["body variables are not numbered {{1}} to {{2}}"]);
    expect(templateFits(link2, [body("{{product}} {{1}} {{2}}"), buttons(urlButton)])[0]).toMatch(/named variables \(\{\{product\}\}\)/);
  });

  it("needs a URL button with a variable where the flow sends its link", () => {
    expect(templateFits(link2, [body("{{1}} {{2}}")])).toEqual(["no URL button with a variable at index 0"]);
    expect(templateFits(link2, [body("{{1}} {{2}}"), buttons({ type: "URL", text: "Shop", url: "https://shop.example" })])).toEqual([
      "no URL button with a variable at index 0",
    ]);
    expect(templateFits(link2, [body("{{1}} {{2}}"), buttons(stop, urlButton)])).toEqual([
      "no URL button with a variable at index 0",
      "URL button 1 has a variable, the flow sends no value for it",
    ]);
  });

  it("needs the quick replies where the confirmation sends its payloads", () => {
    const shape = FIXED_SHAPES.optin_confirmation;
    expect(templateFits(shape, [body("Confirm {{1}}?"), buttons({ type: "QUICK_REPLY", text: "Yes" }, stop)])).toEqual([]);
    expect(templateFits(shape, [body("Confirm {{1}}?"), buttons({ type: "QUICK_REPLY", text: "Yes" })])).toEqual(["no quick reply button at index 1"]);
  });

  it("refuses headers and buttons that need values the flow never sends", () => {
    expect(templateFits(link2, [{ type: "HEADER", format: "IMAGE" }, body("{{1}} {{2}}"), buttons(urlButton)])).toEqual([
      "the header needs an image, the flow sends none",
    ]);
    expect(templateFits(link2, [{ type: "HEADER", format: "TEXT", text: "Hi {{1}}" }, body("{{1}} {{2}}"), buttons(urlButton)])).toEqual([
      "the header has a variable, the flow sends none",
    ]);
    expect(templateFits(link2, [body("{{1}} {{2}}"), buttons(urlButton, { type: "COPY_CODE", example: "SAVE10" })])).toEqual([
      "button 1 copies a coupon code, which the flow does not send",
    ]);
    expect(templateFits({ ...link2, headerImage: true }, [body("{{1}} {{2}}"), buttons(urlButton)])).toEqual(["no image header, the flow sends an image"]);
  });

  it("reads whatever was stored without throwing", () => {
    expect(templateFits(link2, null)).toEqual(["body has 0 variables, the flow sends 2", "no URL button with a variable at index 0"]);
    expect(templateFits(link2, [null, 3, body("{{1}} {{2}}"), { type: "BUTTONS", buttons: [null, urlButton] }])).toEqual([
      "no URL button with a variable at index 0",
      "URL button 1 has a variable, the flow sends no value for it",
    ]);
  });
});
