import type { LanguageCopy } from "./copy";

export const de: LanguageCopy = {
  cart_reminder_1: { body: "Du hast {{1}} im Warenkorb gelassen ({{2}}). Wir haben ihn für dich gespeichert.", button: "Zum Warenkorb" },
  cart_reminder_2: { body: "Denkst du noch über {{1}} nach? Dein Warenkorb ({{2}}) wartet auf dich.", button: "Bestellung abschließen" },
  cart_reminder_3: { body: "Letzte Chance für {{1}} ({{2}}): Mit dem Code {{3}} sparst du bei deiner Bestellung.", button: "Code einlösen" },
  back_in_stock: { body: "Gute Nachricht: {{1}} ({{2}}) ist wieder da. Nur solange der Vorrat reicht.", button: "Jetzt sichern" },
  time_to_reorder: { body: "Geht dir {{1}} aus? Deine letzte Bestellung ist {{2}} Tage her.", button: "Nachbestellen" },
  you_may_also_like: { body: "Wer {{2}} gekauft hat, mag auch {{1}}. Schau es dir an!", button: "Ansehen" },
  store_offer: { body: "Hallo! {{2}} hat ein Angebot für dich: {{1}}.", button: "Zum Angebot" },
  appointment_reminder: { body: "Erinnerung: {{1}} am {{2}} um {{3}}. Bis dann!" },
  optin_confirmation: { body: "Hallo! Bitte bestätige, dass du WhatsApp-Nachrichten von {{1}} zu Warenkorb, Wiederverfügbarkeit und Angeboten möchtest.", yes: "Ja, gerne", no: "Nein, danke" },
  stop: "Stopp Werbung",
};
