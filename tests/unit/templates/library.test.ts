import { describe, expect, it } from "vitest";
import type { Flow } from "@prisma/client";
import { planAbandonedCart } from "../../../app/flows/abandoned-cart";
import { planAppointments } from "../../../app/flows/appointment";
import { planRestock, restockParams } from "../../../app/flows/back-in-stock";
import { planKeys } from "../../../app/flows/plan";
import { planReorder } from "../../../app/flows/reorder";
import { defaultFlowConfig } from "../../../app/flows/settings";
import { planUpsell } from "../../../app/flows/upsell";
import { confirmationParams } from "../../../app/consent/optin.server";
import { classifyReply } from "../../../app/consent/keywords";
import { FLOW_CATEGORY } from "../../../app/outbox/flow-category";
import type { StoredTemplateParams } from "../../../app/outbox/types";
import { bodyPlaceholderCount } from "../../../app/admin/template-preview";
import { buildTemplate, DEFINITIONS, LIBRARY_LANGUAGES, libraryTemplates, libraryWords, type LibraryTemplate } from "../../../app/templates/library";
import { checkWords } from "../../../app/templates/library/words";
import { checkComponents } from "../../fakes/whatsapp/template-review";

const shop = "library.myshopify.com";
const keys = planKeys("secret");
const subscriber = { id: "sub-1", status: "subscribed" as const, scope: "marketing" as const, marketingStoppedAt: null };
const now = new Date("2026-03-10T10:00:00Z");
const APP = "https://rebound.example";

/** What each flow's planner sends by default, by the template name it sends it under. */
function sentByFlows(): Map<string, { flow: Flow; params: StoredTemplateParams }> {
  const sent = new Map<string, { flow: Flow; params: StoredTemplateParams }>();
  const cart = planAbandonedCart({
    shop,
    subscriber,
    keys,
    now,
    setting: { enabled: true, holdoutPercent: 0, config: defaultFlowConfig("abandoned_cart") },
    cart: {
      token: "c1", status: "open", lines: [{ variantId: "1", title: "Shirt", quantity: 1, price: "30.00" }], totalPrice: "30.00",
      currency: "EUR", lastChangedAt: now, recoveryUrl: null, ordered: false, sentSteps: [],
    },
  });
  for (const m of cart.messages) sent.set(m.notification.templateName, { flow: "abandoned_cart", params: m.notification.params });
  const restock = planRestock({
    shop, now, event: { variantId: "v", available: 3, restockId: "e1" },
    catalog: { productTitle: "Shirt", variantTitle: "Large", handle: "shirt", currentlySellable: true },
    setting: { enabled: true, holdoutPercent: 0, config: defaultFlowConfig("back_in_stock") },
  });
  if (!("fanOut" in restock)) throw new Error("expected a restock fan-out");
  sent.set(restock.fanOut.templateName, { flow: "back_in_stock", params: restockParams(restock.fanOut.body) });
  const reorder = planReorder({
    shop, subscriber, keys, now, order: { id: "o1", placedAt: now, cancelled: false },
    products: [{ productId: "p1", variantId: "v1", title: "Beans", handle: "beans", replenishmentDays: 14, repeatGapsDays: [] }],
    setting: { enabled: true, holdoutPercent: 0, config: defaultFlowConfig("reorder") },
  });
  for (const m of reorder.messages) sent.set(m.notification.templateName, { flow: "reorder", params: m.notification.params });
  const upsell = planUpsell({
    shop, subscriber, keys, now, order: { id: "o1", placedAt: now, cancelled: false, firstTitle: "Shirt" }, owned: new Set(["p1"]),
    candidates: [{ productId: "p5", variantId: "v5", title: "Belt", handle: "belt", status: "active", coPurchases: 5 }], fallback: null,
    setting: { enabled: true, holdoutPercent: 0, config: defaultFlowConfig("upsell") },
  });
  for (const m of upsell.messages) sent.set(m.notification.templateName, { flow: "upsell", params: m.notification.params });
  const appointments = planAppointments({
    shop, timeZone: "UTC", now, subscriber: { ...subscriber, scope: "utility" },
    setting: { enabled: true, config: defaultFlowConfig("appointment") },
    order: { id: "o1", cancelled: false, lines: [{ lineItemId: "li1", title: "Class", properties: [{ name: "Booking date", value: "2026-03-30 10:00" }] }] },
  });
  for (const m of appointments.messages) sent.set(m.notification.templateName, { flow: "appointment", params: m.notification.params });
  sent.set("optin_confirmation", { flow: "optin_confirmation", params: confirmationParams("Northside Coffee") });
  // A campaign's body is filled by the merchant, one value per {{n}}; its link token is URL button 0
  // (app/flows/promotion.server.ts launchCampaign).
  sent.set("store_offer", { flow: "promotion", params: { body: ["15% off", "Northside Coffee"], buttons: [{ index: 0, type: "url", suffix: "token" }] } });
  return sent;
}

const buttonsOf = (t: LibraryTemplate) => t.components.find((c) => c.type === "BUTTONS")?.buttons ?? [];

describe("template library", () => {
  const sent = sentByFlows();
  const library = libraryTemplates(LIBRARY_LANGUAGES, APP);

  it("covers every flow's default template in every library language", () => {
    expect(new Set(DEFINITIONS.map((d) => d.flow))).toEqual(new Set(Object.keys(FLOW_CATEGORY)));
    expect([...sent.keys()].sort()).toEqual(DEFINITIONS.map((d) => d.name).sort());
    expect(library).toHaveLength(DEFINITIONS.length * LIBRARY_LANGUAGES.length);
  });

  it.each(LIBRARY_LANGUAGES)("fits what each flow sends, in %s", (language) => {
    for (const template of library.filter((t) => t.language === language)) {
      const flow = sent.get(template.name)!;
      expect(template.flow, template.name).toBe(flow.flow);
      expect(template.category, template.name).toBe(FLOW_CATEGORY[flow.flow]);
      // Exactly as many body values as the planner sends, with one example each.
      expect(bodyPlaceholderCount(template.components), template.name).toBe(flow.params.body?.length ?? 0);
      const body = template.components.find((c) => c.type === "BODY")!;
      expect(body.example?.body_text[0], template.name).toHaveLength(flow.params.body?.length ?? 0);
      const buttons = buttonsOf(template);
      for (const param of flow.params.buttons ?? []) {
        const button = buttons[param.index];
        if (param.type === "url") {
          expect(button, `${template.name} url ${param.index}`).toMatchObject({ type: "URL", url: `${APP}/r/{{1}}` });
        } else {
          expect(button?.type, `${template.name} quick reply ${param.index}`).toBe("QUICK_REPLY");
        }
      }
      // Every URL button with a variable gets its suffix from the flow.
      buttons.forEach((b, i) => {
        if (b.type === "URL") expect(flow.params.buttons?.some((p) => p.index === i && p.type === "url"), `${template.name} button ${i}`).toBe(true);
      });
      if (template.category === "MARKETING") {
        const stop = buttons.at(-1)!;
        expect(stop.type).toBe("QUICK_REPLY");
        // The app reads the tap on it as a stop, in every language.
        expect(classifyReply({ buttonText: stop.text }), `${language} ${stop.text}`).toBe("stop");
      }
      expect(checkComponents(template.components), `${template.name} ${language}`).toBeNull();
    }
  });

  it("takes the merchant's words when the variables and buttons stay the same", () => {
    const words = libraryWords("cart_reminder_3", "en");
    const ok = checkWords("cart_reminder_3", "en", { body: "Hey, {{1}} ({{2}}) is still here. Code {{3}} saves you money.", buttons: ["Open cart", "Stop promotions"] });
    expect(ok).toEqual({ ok: true, words: { body: "Hey, {{1}} ({{2}}) is still here. Code {{3}} saves you money.", buttons: ["Open cart", "Stop promotions"] } });
    expect(words.buttons).toHaveLength(2);
    const template = buildTemplate("cart_reminder_3", "en", APP, ok.ok ? ok.words : words);
    expect(template.components[0].text).toContain("Hey,");
    expect(checkComponents(template.components)).toBeNull();
  });

  it("refuses words that drop, add or misplace a variable, or bad labels", () => {
    const check = (body: string, buttons = ["Open cart", "Stop promotions"]) => checkWords("cart_reminder_3", "en", { body, buttons });
    expect(check("Your cart {{1}} is waiting ({{2}}).")).toMatchObject({ ok: false, errors: { body: expect.stringContaining("{{3}}") } });
    expect(check("Cart {{1}} {{2}} {{3}} {{4}} here.")).toMatchObject({ ok: false, errors: { body: expect.any(String) } });
    expect(check("{{1}} ({{2}}) with code {{3}} awaits.")).toMatchObject({ ok: false, errors: { body: "Don't start or end the message with a value" } });
    expect(check("Cart {{1}} ({{2}}) with code {{3}}")).toMatchObject({ ok: false, errors: { body: "Don't start or end the message with a value" } });
    expect(check("")).toMatchObject({ ok: false, errors: { body: "Write the message" } });
    expect(check("Cart {{1}} ({{2}}) with code {{3}} now.", ["", "x".repeat(26)])).toMatchObject({
      ok: false,
      errors: { "button.0": "Write a label", "button.1": "At most 25 characters" },
    });
  });
});
