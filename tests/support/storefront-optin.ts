import { CONFIRM_PAYLOAD } from "../../app/consent/keywords";
import { DESKTOP_CHROME_UA, proxyFetch } from "../fakes/shopify/app-proxy";
import { signSessionToken } from "../fakes/shopify/session-token";
import type { FakeWhatsApp } from "../fakes/whatsapp/server";

/**
 * Opt-ins as an outsider sends them: anyone can post a theme block's form, and Shopify's app
 * proxy signs whatever it forwards; anyone at checkout holds a session token for the shop. Shared
 * by the consent integration tests and the reliability suite, so both attack the app the same way.
 */
export type OptInForm = "product" | "cart";

export interface StorefrontTarget {
  appUrl: string;
  /** The app's API secret, which signs app proxy requests */
  secret: string;
  shop: string;
}

export interface OptInOptions {
  variantId?: string;
  productId?: string;
  cartToken?: string;
  /** X-Forwarded-For as the caller wrote it, then the address Shopify's proxy saw */
  forwardedFor?: string;
  /** A browser without the blocks' script: url-encoded form with the ticked box, page wanted back */
  page?: boolean;
}

const handle = (shop: string) => shop.replace(/\.myshopify\.com$/, "");

/** The consent words of each block; they name WhatsApp and the store, as the app requires. */
export function consentText(shop: string, form: OptInForm): string {
  return form === "product"
    ? `Message me on WhatsApp from ${handle(shop)} when this is back.`
    : `Send me WhatsApp messages from ${handle(shop)}: cart reminders and offers. Reply STOP to opt out.`;
}

export function optInFields(shop: string, phone: string, form: OptInForm, options: OptInOptions = {}): Record<string, string> {
  const fields: Record<string, string> = {
    phone,
    country: "ES",
    source: form === "product" ? "product_block" : "cart_block",
    consentText: consentText(shop, form),
    textVersion: "v1",
    locale: "en",
    website: "",
  };
  if (form === "product") Object.assign(fields, { variantId: options.variantId ?? "9001", productId: options.productId ?? "8001" });
  if (options.cartToken) fields.cartToken = options.cartToken;
  return fields;
}

let address = 0;
/** A fresh visitor address each call unless one is given, so per-address limits stay out of the way. */
const nextAddress = () => `198.51.${100 + ((++address >> 8) % 20)}.${address % 250}`;

export function storefrontOptIn(target: StorefrontTarget, phone: string, form: OptInForm, options: OptInOptions = {}): Promise<Response> {
  const fields = optInFields(target.shop, phone, form, options);
  const body = options.page ? new URLSearchParams({ ...fields, consent: "on", returnTo: "/cart" }).toString() : JSON.stringify(fields);
  return proxyFetch(
    target.appUrl,
    target.secret,
    { shop: target.shop, path: "/optin" },
    {
      body,
      contentType: options.page ? "application/x-www-form-urlencoded" : "application/json",
      accept: options.page ? "text/html" : "application/json",
      forwardedFor: options.forwardedFor ?? nextAddress(),
    },
  );
}

/** The checkout extension's post, with a session token for the shop (no customer unless given). */
export function checkoutOptIn(
  target: StorefrontTarget & { apiKey: string },
  phone: string,
  extra: { checkoutToken?: string; customerId?: string } = {},
): Promise<Response> {
  const token = signSessionToken({
    shop: target.shop,
    apiKey: target.apiKey,
    secret: target.secret,
    ...(extra.customerId ? { userId: `gid://shopify/Customer/${extra.customerId}` } : {}),
  });
  return fetch(`${target.appUrl}/api/checkout-optin`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "User-Agent": DESKTOP_CHROME_UA, Origin: "https://extensions.shopifycdn.com", Authorization: `Bearer ${token}` },
    body: JSON.stringify({
      phone,
      source: "checkout",
      consentText: consentText(target.shop, "cart"),
      textVersion: "v1",
      locale: "en",
      ...(extra.checkoutToken ? { checkoutToken: extra.checkoutToken } : {}),
    }),
  });
}

/**
 * The shopper taps yes on the confirmation, as a signed WhatsApp webhook. WhatsApp stamps a
 * message in whole seconds: a reply in the same second as the form it answers would sort before
 * it in the ledger, which no real shopper can do, so the replies wait for the next second.
 */
export async function shopperSaysYes(whatsapp: FakeWhatsApp, phoneNumberId: string, phones: string[]): Promise<number[]> {
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  return Promise.all(
    phones.map(async (phone) => (await whatsapp.sendInbound(phoneNumberId, phone, { buttonPayload: CONFIRM_PAYLOAD, buttonText: "Yes" })).status),
  );
}
