/**
 * The words of one language of the template library: one body per template ({{n}} where the flow
 * fills a value, in the order its planner sends them), the link button's label, the label of the
 * "Stop promotions" quick reply and the opt-in confirmation's two answers.
 */
export interface LinkCopy {
  body: string;
  button: string;
}

export interface LanguageCopy {
  cart_reminder_1: LinkCopy;
  cart_reminder_2: LinkCopy;
  cart_reminder_3: LinkCopy;
  back_in_stock: LinkCopy;
  time_to_reorder: LinkCopy;
  you_may_also_like: LinkCopy;
  store_offer: LinkCopy;
  appointment_reminder: { body: string };
  optin_confirmation: { body: string; yes: string; no: string };
  /** The opt-out quick reply of every marketing template */
  stop: string;
}
