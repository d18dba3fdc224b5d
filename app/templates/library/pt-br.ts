import type { LanguageCopy } from "./copy";

export const ptBR: LanguageCopy = {
  cart_reminder_1: { body: "Você deixou {{1}} no seu carrinho ({{2}}). Guardamos para você.", button: "Voltar ao carrinho" },
  cart_reminder_2: { body: "Ainda pensando em {{1}}? Seu carrinho ({{2}}) está esperando por você.", button: "Finalizar pedido" },
  cart_reminder_3: { body: "Última chance para {{1}} ({{2}}): use o cupom {{3}} e economize no seu pedido.", button: "Usar meu cupom" },
  back_in_stock: { body: "Boa notícia: {{1}} ({{2}}) voltou ao estoque. Unidades limitadas.", button: "Quero agora" },
  time_to_reorder: { body: "Seu {{1}} está acabando? Já faz {{2}} dias desde o seu último pedido.", button: "Pedir de novo" },
  you_may_also_like: { body: "Quem comprou {{2}} também adora {{1}}. Que tal dar uma olhada?", button: "Ver produto" },
  store_offer: { body: "Oi! {{2}} tem uma oferta para você: {{1}}.", button: "Ver oferta" },
  appointment_reminder: { body: "Lembrete: {{1}} em {{2}} às {{3}}. Até lá!" },
  optin_confirmation: { body: "Oi! Confirme que você quer receber mensagens de {{1}} no WhatsApp sobre seus carrinhos, reposições e ofertas.", yes: "Sim, quero", no: "Não, obrigado" },
  stop: "Parar promoções",
};
