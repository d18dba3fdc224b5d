import type { LanguageCopy } from "./copy";

export const es: LanguageCopy = {
  cart_reminder_1: { body: "Dejaste {{1}} en tu carrito ({{2}}). Te lo guardamos.", button: "Volver al carrito" },
  cart_reminder_2: { body: "¿Sigues pensando en {{1}}? Tu carrito ({{2}}) te espera.", button: "Terminar mi pedido" },
  cart_reminder_3: { body: "Última oportunidad para {{1}} ({{2}}): usa el código {{3}} y ahorra en tu pedido.", button: "Usar mi código" },
  back_in_stock: { body: "Buenas noticias: {{1}} ({{2}}) vuelve a estar disponible. Quedan pocas unidades.", button: "Lo quiero" },
  time_to_reorder: { body: "¿Se te acaba {{1}}? Han pasado {{2}} días desde tu último pedido.", button: "Volver a pedir" },
  you_may_also_like: { body: "A quienes compraron {{2}} también les encanta {{1}}. ¿Le echas un vistazo?", button: "Verlo" },
  store_offer: { body: "¡Hola! {{2}} tiene una oferta para ti: {{1}}.", button: "Ver la oferta" },
  appointment_reminder: { body: "Recordatorio: {{1}} el {{2}} a las {{3}}. ¡Hasta pronto!" },
  optin_confirmation: { body: "¡Hola! Confirma que quieres recibir mensajes de {{1}} por WhatsApp sobre tus carritos, reposiciones y ofertas.", yes: "Sí, quiero", no: "No, gracias" },
  stop: "Detener promociones",
};
