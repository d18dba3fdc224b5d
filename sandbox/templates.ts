import type { FakeNumber, FakeTemplate } from "../tests/fakes/whatsapp/server";

/**
 * The demo business's WhatsApp number and the templates it has approved in WhatsApp Manager,
 * as the fake Cloud API holds them. Body placeholders follow what each flow fills
 * (app/flows/settings.ts documents the order); links are URL buttons ending in the tracked
 * link's token, as /r/{{1}} on the app.
 */
export const DEMO_NUMBER: FakeNumber = {
  phoneNumberId: "110200300400501",
  wabaId: "220300400500601",
  accessToken: "EAAG-sandbox-token",
  displayPhoneNumber: "+34 910 000 123",
};

const appUrl = () => process.env.SHOPIFY_APP_URL ?? "http://127.0.0.1:3000";

const body = (text: string) => ({ type: "BODY", text });
const linkButton = (label: string) => ({ type: "URL", text: label, url: `${appUrl()}/r/{{1}}` });
const stopButton = { type: "QUICK_REPLY", text: "Stop promotions" };

function marketing(name: string, text: string, label: string): FakeTemplate {
  return {
    name,
    language: "en",
    category: "MARKETING",
    components: [body(text), { type: "BUTTONS", buttons: [linkButton(label), stopButton] }],
  };
}

const CONFIRMATION_TEXT: Record<string, [string, string, string]> = {
  en: ["Hi! Confirm you want WhatsApp messages from {{1}}: cart reminders, restocks and offers.", "Yes, sign me up", "Stop"],
  es: ["¡Hola! Confirma que quieres recibir mensajes de {{1}} por WhatsApp: carritos, reposiciones y ofertas.", "Sí, quiero", "Parar"],
  pt_BR: ["Oi! Confirme que quer receber mensagens de {{1}} no WhatsApp: carrinhos, reposições e ofertas.", "Sim, quero", "Parar"],
  pt_PT: ["Olá! Confirme que quer receber mensagens de {{1}} no WhatsApp: carrinhos, reposições e ofertas.", "Sim, quero", "Parar"],
  de: ["Hallo! Bestätige, dass du WhatsApp-Nachrichten von {{1}} möchtest: Warenkorb, Wiederverfügbarkeit und Angebote.", "Ja, gerne", "Stopp"],
  id: ["Hai! Konfirmasi bahwa Anda ingin pesan WhatsApp dari {{1}}: keranjang, stok kembali, dan penawaran.", "Ya, daftar", "Berhenti"],
  fr: ["Bonjour ! Confirmez que vous voulez des messages WhatsApp de {{1}} : paniers, retours en stock et offres.", "Oui", "Arrêt"],
};

export function demoTemplates(): FakeTemplate[] {
  const confirmations: FakeTemplate[] = Object.entries(CONFIRMATION_TEXT).map(([language, [text, yes, stop]]) => ({
    name: "optin_confirmation",
    language,
    category: "UTILITY",
    components: [body(text), { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: yes }, { type: "QUICK_REPLY", text: stop }] }],
  }));
  return [
    ...confirmations,
    marketing("cart_reminder_1", "You left {{1}} in your cart ({{2}}). It's saved for you.", "Back to my cart"),
    marketing("cart_reminder_2", "Still thinking about {{1}}? Your cart ({{2}}) is waiting.", "Finish my order"),
    marketing("cart_reminder_3", "Last call for {{1}} ({{2}}): use {{3}} for 10% off.", "Use my code"),
    marketing("back_in_stock", "Good news: {{1}} ({{2}}) is back in stock.", "Get it now"),
    marketing("time_to_reorder", "Running low on {{1}}? It's been {{2}} days since your last order.", "Reorder"),
    marketing("you_may_also_like", "Customers who bought {{2}} love {{1}}.", "Take a look"),
    marketing("weekend_offer", "This weekend only: {{1}} on all beans at {{2}}.", "Shop the offer"),
    {
      name: "appointment_reminder",
      language: "en",
      category: "UTILITY",
      components: [body("Reminder: {{1}} on {{2}} at {{3}}. See you there!")],
    },
  ];
}
