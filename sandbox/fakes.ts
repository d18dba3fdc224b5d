import { FakeAdminStore, startFakeShopifyAdmin, type FakeShopifyAdmin } from "../tests/fakes/shopify/admin";
import { startFakeWhatsApp, type FakeWhatsApp } from "../tests/fakes/whatsapp/server";
import { CATALOGUE, DEMO_COLLECTION, DEMO_CURRENCY, DEMO_SHOP, DEMO_SHOP_NAME, DEMO_TIMEZONE } from "./store";
import { DEMO_NUMBER, handMadeTemplates } from "./templates";

/**
 * The outside world of the sandbox: a fake Shopify Admin API that knows the demo shop and its
 * catalogue, and a fake WhatsApp Cloud API with the shop's number, which reviews the templates
 * the app submits (and serves the stand-in for Embedded Signup's SDK and popup, which the admin
 * loads from it). They
 * start before any app module loads, because the app reads their addresses from the environment
 * once, at start-up, like it reads Shopify's and Meta's real ones.
 */
export interface SandboxFakes {
  accessToken: string;
  shopify: FakeShopifyAdmin;
  whatsapp: FakeWhatsApp;
}

export async function startFakes(options: { whatsAppSecret: string; whatsAppAppId: string }): Promise<SandboxFakes> {
  const accessToken = `shpat_sandbox_${Date.now().toString(36)}`;
  const store = new FakeAdminStore();
  store.seedShop({
    domain: DEMO_SHOP,
    accessToken,
    name: DEMO_SHOP_NAME,
    currencyCode: DEMO_CURRENCY,
    ianaTimezone: DEMO_TIMEZONE,
    countryCode: "ES",
    locales: [{ locale: "es", primary: true }, { locale: "en", primary: false }],
  });
  for (const product of CATALOGUE) {
    store.seedProduct(DEMO_SHOP, {
      id: String(product.id),
      title: product.title,
      handle: product.handle,
      featuredImageUrl: product.image,
      variants: product.variants.map((v) => ({ id: String(v.id), title: v.title, sku: v.sku, price: v.price, inventoryItemId: String(v.inventoryItemId) })),
    });
  }
  store.seedCollection(DEMO_SHOP, {
    id: DEMO_COLLECTION.id,
    title: DEMO_COLLECTION.title,
    handle: DEMO_COLLECTION.handle,
    productIds: DEMO_COLLECTION.handles.map((handle) => String(CATALOGUE.find((p) => p.handle === handle)!.id)),
  });
  const shopify = await startFakeShopifyAdmin({ store });
  const whatsapp = await startFakeWhatsApp({
    numbers: [DEMO_NUMBER],
    templates: { [DEMO_NUMBER.wabaId]: handMadeTemplates() },
    appSecret: options.whatsAppSecret,
    appId: options.whatsAppAppId,
    autoStatuses: false,
  });
  process.env.SHOPIFY_ADMIN_API_ORIGIN = shopify.origin;
  process.env.WHATSAPP_API_ORIGIN = whatsapp.origin;
  // Embedded Signup's SDK and popup are the fake's local stand-in (Meta's cannot be reached).
  process.env.WHATSAPP_SDK_URL = `${whatsapp.origin}/en_US/sdk.js`;
  process.env.WHATSAPP_SIGNUP_ORIGINS = whatsapp.origin;
  return { accessToken, shopify, whatsapp };
}
