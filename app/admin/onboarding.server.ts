import prisma from "../db.server";

/**
 * The set-up checklist on the home page. Every step's "done" is read from data the app already
 * keeps, so the list cannot drift from reality: a connection row, synced templates, opt-ins that
 * came from the theme blocks, an enabled flow.
 */
export type OnboardingStepId = "connect" | "test_message" | "templates" | "theme" | "flows";

export interface OnboardingStep {
  id: OnboardingStepId;
  done: boolean;
}

export interface Onboarding {
  steps: OnboardingStep[];
  complete: boolean;
  themeLinks: { embed: string; productBlock: string };
}

export async function loadOnboarding(shop: string, apiKey: string): Promise<Onboarding> {
  const [connection, approvedTemplates, storefrontOptIns, enabledFlows] = await Promise.all([
    prisma.whatsAppConnection.findUnique({ where: { shop }, select: { status: true, lastTestAt: true } }),
    prisma.messageTemplate.count({ where: { shop, status: "APPROVED" } }),
    prisma.consentEvent.count({
      where: { shop, source: { in: ["product_block", "cart_block", "cart_embed"] } },
      take: 1,
    }),
    prisma.flowSetting.count({ where: { shop, enabled: true } }),
  ]);
  const steps: OnboardingStep[] = [
    { id: "connect", done: connection?.status === "healthy" },
    { id: "test_message", done: Boolean(connection?.lastTestAt) },
    { id: "templates", done: approvedTemplates > 0 },
    { id: "theme", done: storefrontOptIns > 0 },
    { id: "flows", done: enabledFlows > 0 },
  ];
  return { steps, complete: steps.every((s) => s.done), themeLinks: themeEditorLinks(shop, apiKey) };
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
