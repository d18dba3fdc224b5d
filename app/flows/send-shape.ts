import type { Flow } from "@prisma/client";
import type { SendShape } from "../outbox/template-fit";

/**
 * What each flow's messages carry, declared once: how many body values, whether an image header,
 * which buttons get a parameter. The settings page, the campaign form and the setup guide check a
 * template against these before it is used (templateFits in app/outbox/template-fit.ts); a unit
 * test builds real parameters with every flow's builder and checks they match, so the two cannot
 * drift. Browser-safe: no server imports.
 */
const withLink = (bodyVariables: number): SendShape => ({ bodyVariables, headerImage: false, buttons: [{ index: 0, type: "url" }] });

/** Abandoned-cart step: {{1}} items, {{2}} total, {{3}} the code when the step has a discount; the cart link. */
export const cartStepShape = (step: { discount: unknown }): SendShape => withLink(step.discount ? 3 : 2);

/** A campaign sends as many body values as its template has, and the tracked link. */
export const promotionShape = (bodyVariables: number): SendShape => withLink(bodyVariables);

/** Flows whose messages have one shape whatever their settings. */
export const FIXED_SHAPES = {
  /** {{1}} product, {{2}} variant; the product link */
  back_in_stock: withLink(2),
  /** {{1}} product, {{2}} days since the order; the product link */
  reorder: withLink(2),
  /** {{1}} the recommendation, {{2}} what they bought; the product link */
  upsell: withLink(2),
  /** {{1}} item, {{2}} local date, {{3}} local time; no buttons */
  appointment: { bodyVariables: 3, headerImage: false, buttons: [] },
  /** {{1}} store name; quick replies: confirm at 0, stop at 1 */
  optin_confirmation: {
    bodyVariables: 1,
    headerImage: false,
    buttons: [
      { index: 0, type: "quick_reply" },
      { index: 1, type: "quick_reply" },
    ],
  },
} as const satisfies Partial<Record<Flow, SendShape>>;

/**
 * The shape a flow's configured template must carry. Abandoned-cart steps differ by discount
 * (pass the step); a promotion's depends on its campaign (promotionShape).
 */
export function flowSendShape(flow: Flow, step?: { discount: unknown }): SendShape | null {
  if (flow === "abandoned_cart") return step ? cartStepShape(step) : null;
  if (flow === "promotion") return null;
  return FIXED_SHAPES[flow];
}
