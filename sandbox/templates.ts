import type { FakeNumber, FakeTemplate } from "../tests/fakes/whatsapp/server";
import { LIBRARY_LANGUAGES, type LibraryLanguage } from "../app/templates/library";

/**
 * The demo business's WhatsApp number, and the few templates its merchant made by hand in
 * WhatsApp Manager: opt-in confirmations in the languages of shoppers the template library does
 * not cover (European Portuguese, Indonesian). Everything else the flows send comes from the
 * library, submitted from the app during the week's first scene and reviewed by the fake.
 */
export const DEMO_NUMBER: FakeNumber = {
  phoneNumberId: "110200300400501",
  wabaId: "220300400500601",
  accessToken: "EAAG-sandbox-token",
  displayPhoneNumber: "+34 910 000 123",
};

/** The library languages the demo merchant submits: the store's Spanish and English, and its shoppers' others. */
export const DEMO_LIBRARY_LANGUAGES: LibraryLanguage[] = LIBRARY_LANGUAGES.filter((l) => l !== "it");

const HAND_MADE: Record<string, [string, string, string]> = {
  pt_PT: ["Olá! Confirme que quer receber mensagens de {{1}} no WhatsApp: carrinhos, reposições e ofertas.", "Sim, quero", "Parar"],
  id: ["Hai! Konfirmasi bahwa Anda ingin pesan WhatsApp dari {{1}}: keranjang, stok kembali, dan penawaran.", "Ya, daftar", "Berhenti"],
};

export function handMadeTemplates(): FakeTemplate[] {
  return Object.entries(HAND_MADE).map(([language, [text, yes, stop]]) => ({
    name: "optin_confirmation",
    language,
    category: "UTILITY",
    components: [{ type: "BODY", text }, { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: yes }, { type: "QUICK_REPLY", text: stop }] }],
  }));
}
