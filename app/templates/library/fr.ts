import type { LanguageCopy } from "./copy";

export const fr: LanguageCopy = {
  cart_reminder_1: { body: "Vous avez laissé {{1}} dans votre panier ({{2}}). Nous l'avons gardé pour vous.", button: "Voir mon panier" },
  cart_reminder_2: { body: "Vous hésitez encore pour {{1}} ? Votre panier ({{2}}) vous attend.", button: "Finaliser ma commande" },
  cart_reminder_3: { body: "Dernière chance pour {{1}} ({{2}}) : avec le code {{3}}, économisez sur votre commande.", button: "Utiliser mon code" },
  back_in_stock: { body: "Bonne nouvelle : {{1}} ({{2}}) est de retour en stock. Quantités limitées.", button: "J'en profite" },
  time_to_reorder: { body: "Bientôt à court de {{1}} ? Votre dernière commande date de {{2}} jours.", button: "Commander à nouveau" },
  you_may_also_like: { body: "Les clients qui ont acheté {{2}} adorent aussi {{1}}. Un coup d'œil ?", button: "Découvrir" },
  store_offer: { body: "Bonjour ! {{2}} a une offre pour vous : {{1}}.", button: "Voir l'offre" },
  appointment_reminder: { body: "Rappel : {{1}} le {{2}} à {{3}}. À bientôt !" },
  optin_confirmation: { body: "Bonjour ! Confirmez que vous souhaitez recevoir des messages WhatsApp de {{1}} sur vos paniers, retours en stock et offres.", yes: "Oui, je confirme", no: "Non, merci" },
  stop: "Arrêter les promotions",
};
