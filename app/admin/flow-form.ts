/**
 * What the flow page's reorder intervals card shares with the route's action. The flows' own
 * form fields are described by their settings modules (app/flows/settings/<flow>.ts).
 */

/** Tells the route's action a row of the reorder intervals card was submitted, not the flow's form. */
export const INTERVAL_INTENT = "reorder-interval";

/** The intervals card lists this many of the most ordered products; the rest keep the learned or default interval. */
export const INTERVAL_LIST_LIMIT = 50;
