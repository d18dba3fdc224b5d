import type { LanguageCopy } from "./copy";

export const en: LanguageCopy = {
  cart_reminder_1: { body: "You left {{1}} in your cart ({{2}}). We saved it for you.", button: "Back to my cart" },
  cart_reminder_2: { body: "Still thinking about {{1}}? Your cart ({{2}}) is waiting for you.", button: "Finish my order" },
  cart_reminder_3: { body: "Last call for {{1}} ({{2}}): use code {{3}} to save on your order.", button: "Use my code" },
  back_in_stock: { body: "Good news: {{1}} ({{2}}) is back in stock. Stock is limited.", button: "Get it now" },
  time_to_reorder: { body: "Running low on {{1}}? It's been {{2}} days since your last order.", button: "Order again" },
  you_may_also_like: { body: "Customers who bought {{2}} also love {{1}}. Take a look?", button: "See it" },
  store_offer: { body: "Hi! {{2}} has an offer for you: {{1}}.", button: "See the offer" },
  appointment_reminder: { body: "Reminder: {{1}} on {{2}} at {{3}}. See you then!" },
  optin_confirmation: { body: "Hi! Please confirm you want WhatsApp messages from {{1}} about your carts, restocks and offers.", yes: "Yes, sign me up", no: "No, thanks" },
  stop: "Stop promotions",
};
