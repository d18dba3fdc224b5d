import type { LanguageCopy } from "./copy";

export const it: LanguageCopy = {
  cart_reminder_1: { body: "Hai lasciato {{1}} nel carrello ({{2}}). L'abbiamo salvato per te.", button: "Torna al carrello" },
  cart_reminder_2: { body: "Ci stai ancora pensando? {{1}} è nel tuo carrello ({{2}}) e ti aspetta.", button: "Completa l'ordine" },
  cart_reminder_3: { body: "Ultima occasione per {{1}} ({{2}}): usa il codice {{3}} e risparmia sul tuo ordine.", button: "Usa il mio codice" },
  back_in_stock: { body: "Buone notizie: {{1}} ({{2}}) è di nuovo disponibile. Pezzi limitati.", button: "Lo voglio" },
  time_to_reorder: { body: "Stai finendo {{1}}? Sono passati {{2}} giorni dal tuo ultimo ordine.", button: "Ordina di nuovo" },
  you_may_also_like: { body: "Chi ha comprato {{2}} adora anche {{1}}. Vuoi dare un'occhiata?", button: "Scoprilo" },
  store_offer: { body: "Ciao! {{2}} ha un'offerta per te: {{1}}.", button: "Vedi l'offerta" },
  appointment_reminder: { body: "Promemoria: {{1}} il {{2}} alle {{3}}. A presto!" },
  optin_confirmation: { body: "Ciao! Conferma che vuoi ricevere messaggi WhatsApp da {{1}} su carrelli, riassortimenti e offerte.", yes: "Sì, confermo", no: "No, grazie" },
  stop: "Stop promozioni",
};
