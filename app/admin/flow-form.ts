/**
 * How each flow's settings (app/flows/settings.ts) appear as form fields. Field names are the
 * config paths the flow schemas report errors on ("config.delayMinutes"), so a 422 lands on its
 * field. Shared by the page (rendering) and the server (reading the form back).
 */
export type FieldKind = "number" | "optionalNumber" | "text" | "optionalText" | "collection";

export interface FieldSpec {
  key: string;
  kind: FieldKind;
}

export const MAX_CART_STEPS = 3;
export { MAX_APPOINTMENT_REMINDERS } from "../flows/settings";

/** Flows configured with one template and these settings; abandoned_cart has steps instead. */
export const FLOW_FIELDS: Record<string, FieldSpec[]> = {
  back_in_stock: [
    { key: "delayMinutes", kind: "number" },
    { key: "messagesPerUnit", kind: "optionalNumber" },
    { key: "validHours", kind: "number" },
  ],
  reorder: [
    { key: "defaultDays", kind: "number" },
    { key: "minSamples", kind: "number" },
    { key: "validDays", kind: "number" },
  ],
  upsell: [
    { key: "delayDays", kind: "number" },
    { key: "minCoPurchases", kind: "number" },
    { key: "fallbackProductId", kind: "optionalText" },
    { key: "fallbackCollectionId", kind: "collection" },
    { key: "validDays", kind: "number" },
  ],
  // The reminders list (config.reminders.N.hoursBefore) is its own part of the form.
  appointment: [
    { key: "bookingDateProperty", kind: "text" },
    { key: "bookingTimeProperty", kind: "optionalText" },
  ],
  promotion: [],
};

/** Promotions choose their template per campaign; every other flow picks one here. */
export function hasSingleTemplate(flow: string): boolean {
  return flow !== "abandoned_cart" && flow !== "promotion";
}

export const templateValue = (name: string, language: string) => `${name}|${language}`;

/** Tells the route's action a row of the reorder intervals card was submitted, not the flow's form. */
export const INTERVAL_INTENT = "reorder-interval";

/** The intervals card lists this many of the most ordered products; the rest keep the learned or default interval. */
export const INTERVAL_LIST_LIMIT = 50;
