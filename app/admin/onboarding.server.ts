import prisma from "../db.server";
import { FIXED_SHAPES } from "../flows/send-shape";
import { templateFits } from "../outbox/template-fit";
import { whatsappLanguage } from "../outbox/template-language";

/**
 * The set-up checklist on the home page. Every step's "done" is read from data the app already
 * keeps, so the list cannot drift from reality: a connection row, synced templates, opt-ins that
 * came from the theme blocks, an enabled flow.
 */
export type OnboardingStepId = "connect" | "test_message" | "templates" | "confirmation_template" | "theme" | "flows";

export interface OnboardingStep {
  id: OnboardingStepId;
  done: boolean;
}

/**
 * With double opt-in on, the shop's language has no approved opt-in confirmation that fits: the
 * language, and whether English stands in (the dispatcher's last resort for the confirmation).
 */
export interface MissingConfirmation {
  /** "German (de)" */
  language: string;
  englishFallback: boolean;
}

export interface Onboarding {
  steps: OnboardingStep[];
  confirmation: MissingConfirmation | null;
  complete: boolean;
  themeLinks: { embed: string; productBlock: string };
}

export async function loadOnboarding(shop: string, apiKey: string): Promise<Onboarding> {
  const [connection, approvedTemplates, storefrontOptIns, enabledFlows, confirmation] = await Promise.all([
    prisma.whatsAppConnection.findUnique({ where: { shop }, select: { status: true, lastTestAt: true } }),
    prisma.messageTemplate.count({ where: { shop, status: "APPROVED" } }),
    prisma.consentEvent.count({
      where: { shop, source: { in: ["product_block", "cart_block", "cart_embed"] } },
      take: 1,
    }),
    prisma.flowSetting.count({ where: { shop, enabled: true } }),
    missingConfirmation(shop),
  ]);
  const steps: OnboardingStep[] = [
    { id: "connect", done: connection?.status === "healthy" },
    { id: "test_message", done: Boolean(connection?.lastTestAt) },
    { id: "templates", done: approvedTemplates > 0 },
    // Only a shop that asks shoppers to confirm needs the confirmation template.
    ...(confirmation === undefined ? [] : [{ id: "confirmation_template" as const, done: confirmation === null }]),
    { id: "theme", done: storefrontOptIns > 0 },
    { id: "flows", done: enabledFlows > 0 },
  ];
  return { steps, confirmation: confirmation ?? null, complete: steps.every((s) => s.done), themeLinks: themeEditorLinks(shop, apiKey) };
}

/**
 * undefined: double opt-in is off. null: an approved, fitting optin_confirmation exists in the
 * shop's language (Shop.primaryLocale). Otherwise what is missing.
 */
async function missingConfirmation(shop: string): Promise<MissingConfirmation | null | undefined> {
  const [settings, row, templates] = await Promise.all([
    prisma.shopSettings.findUnique({ where: { shop }, select: { doubleOptIn: true } }),
    prisma.shop.findUnique({ where: { shop }, select: { primaryLocale: true } }),
    prisma.messageTemplate.findMany({
      where: { shop, name: "optin_confirmation", status: "APPROVED", category: "UTILITY" },
      select: { language: true, components: true },
    }),
  ]);
  if (!(settings?.doubleOptIn ?? true)) return undefined;
  const language = whatsappLanguage(row?.primaryLocale ?? "en");
  const usable = new Set(templates.filter((t) => templateFits(FIXED_SHAPES.optin_confirmation, t.components).length === 0).map((t) => t.language));
  if (usable.has(language)) return null;
  let name = language;
  try {
    name = `${new Intl.DisplayNames(["en"], { type: "language" }).of(language.replace("_", "-")) ?? language} (${language})`;
  } catch {
    // An unusual code is shown as it is.
  }
  return { language: name, englishFallback: usable.has("en") };
}

/**
 * Theme editor deep links (shopify.dev, theme app extensions, "deep linking"): an app embed is
 * switched on with `context=apps&activateAppId=<api key>/<embed handle>`; an app block is added
 * to a template with `addAppBlockId=<api key>/<block handle>` and a `target` section.
 * They must use the shop's myshopify domain, not its custom domain.
 */
export function themeEditorLinks(shop: string, apiKey: string) {
  const base = `https://${shop}/admin/themes/current/editor`;
  const embed = new URLSearchParams({ context: "apps", activateAppId: `${apiKey}/cart-drawer-embed` });
  const block = new URLSearchParams({ template: "product", addAppBlockId: `${apiKey}/product-notify`, target: "mainSection" });
  return { embed: `${base}?${embed}`, productBlock: `${base}?${block}` };
}
