import { describe, expect, it } from "vitest";
import { sendLanguage, whatsappLanguage, type TemplateVersion } from "../../../app/outbox/template-language";

/** Which language a message goes out in: the shopper's when it is approved and fits, else the configured one. */
const fits: TemplateVersion = {
  status: "APPROVED",
  category: "MARKETING",
  components: [{ type: "BODY", text: "{{1}} {{2}}" }, { type: "BUTTONS", buttons: [{ type: "URL", url: "https://a.example/r/{{1}}" }] }],
};
const row = {
  flow: "back_in_stock" as const,
  templateLanguage: "en",
  params: { body: ["Mug", "Blue"], buttons: [{ index: 0, type: "url", derivedLinkToken: true }] },
};
const at = (shopper: string | null, shop: string | null = "en") => ({ shopper, shop });
const shop = (versions: Record<string, TemplateVersion>) => (language: string) => versions[language];

describe("sendLanguage", () => {
  it("maps storefront locales to WhatsApp's codes", () => {
    expect(["es", "es-ES", "pt-BR", "pt_PT", "pt", "DE-at"].map(whatsappLanguage)).toEqual(["es", "es", "pt_BR", "pt_PT", "pt_BR", "de"]);
  });

  it("sends the shopper's language when its version is approved, in the flow's category, and fits", () => {
    expect(sendLanguage(row, at("es-ES"), shop({ en: fits, es: fits }))).toBe("es");
  });

  it("falls back to the configured language otherwise", () => {
    expect(sendLanguage(row, at("fr"), shop({ en: fits, es: fits }))).toBe("en");
    expect(sendLanguage(row, at("es"), shop({ en: fits, es: { ...fits, status: "PENDING" } }))).toBe("en");
    expect(sendLanguage(row, at("es"), shop({ en: fits, es: { ...fits, category: "UTILITY" } }))).toBe("en");
    expect(sendLanguage(row, at("es"), shop({ en: fits, es: { ...fits, components: [{ type: "BODY", text: "{{1}}" }] } }))).toBe("en");
    expect(sendLanguage(row, at(null), shop({ en: fits, es: fits }))).toBe("en");
  });

  it("keeps the configured language when nothing qualifies, so the gate can say why", () => {
    expect(sendLanguage(row, at("es"), shop({}))).toBe("en");
    expect(sendLanguage({ ...row, templateLanguage: "de" }, at("es"), shop({ en: fits }))).toBe("de");
  });

  it("gives the opt-in confirmation the shop's language, then English, after the shopper's", () => {
    const confirmation: TemplateVersion = {
      status: "APPROVED",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Confirm {{1}}?" }, { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY" }, { type: "QUICK_REPLY" }] }],
    };
    const optin = {
      flow: "optin_confirmation" as const,
      templateLanguage: "fr",
      params: { body: ["Shop"], buttons: [{ index: 0, type: "quick_reply", payload: "A" }, { index: 1, type: "quick_reply", payload: "B" }] },
    };
    // Planned in the shopper's language (fr); the shop's primary locale is de-DE.
    expect(sendLanguage(optin, at("fr", "de-DE"), shop({ fr: confirmation, de: confirmation, en: confirmation }))).toBe("fr");
    expect(sendLanguage(optin, at("fr", "de-DE"), shop({ de: confirmation, en: confirmation }))).toBe("de");
    expect(sendLanguage(optin, at("fr", "de-DE"), shop({ en: confirmation }))).toBe("en");
    expect(sendLanguage(optin, at("fr", "de-DE"), shop({ en: { ...confirmation, status: "PAUSED" } }))).toBe("fr");
    // Flows have no such fallbacks: the configured language is the shop's already.
    expect(sendLanguage(row, at("fr", "de"), shop({ de: fits }))).toBe("en");
  });
});
