import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * What the checkout opt-in tests share: the extension's own locale files as `i18n.translate`,
 * protected customer data set the way a store that granted it sees it, and DOM interactions on
 * Shopify's elements (Preact sets their props as attributes under a DOM without them).
 */
export const extensionRoot = path.resolve("extensions/checkout-optin");

export function translator(file: string) {
  const messages = JSON.parse(readFileSync(path.join(extensionRoot, "locales", file), "utf8"));
  return (key: string, options?: Record<string, string>) =>
    String(key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], messages) ?? key).replace(
      /\{\{(\w+)\}\}/g,
      (_m, name: string) => options?.[name] ?? "",
    );
}

const signal = <T>(value: T) => ({ value, current: value, subscribe: () => () => {}, destroy: async () => {} });

/**
 * buyerIdentity and the addresses need protected customer data access, so Shopify's mock leaves
 * them out (and throws on reading them); define them as a store that granted access would.
 */
export function grantCustomerData(
  shopify: object,
  data: { phone?: string; shipping?: { countryCode: string; phone?: string }; billingPhone?: string },
) {
  for (const [key, value] of Object.entries({
    buyerIdentity: { phone: signal(data.phone), email: signal(undefined), customer: signal(undefined), purchasingCompany: signal(undefined) },
    shippingAddress: signal(data.shipping),
    billingAddress: signal(data.billingPhone ? { phone: data.billingPhone } : undefined),
  })) {
    Object.defineProperty(shopify, key, { value, writable: true, configurable: true, enumerable: true });
  }
}

export function element(selector: string): (HTMLElement & Record<string, unknown>) | null {
  return document.body.querySelector(selector) as (HTMLElement & Record<string, unknown>) | null;
}

/** A Shopify element's prop, whether Preact set it as a property or as an attribute. */
export function prop(selector: string, name: string): string | null {
  const found = element(selector);
  if (!found) return null;
  const value = found[name];
  return value !== undefined && value !== null ? String(value) : found.getAttribute(name);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

export async function click(selector: string) {
  element(selector)!.dispatchEvent(new Event("click"));
  await Promise.resolve();
}

export async function tick() {
  const checkbox = document.body.querySelector("s-checkbox") as HTMLElement & { checked: boolean };
  checkbox.checked = true;
  checkbox.dispatchEvent(new Event("change"));
  await settle();
}

export async function type(value: string) {
  const field = document.body.querySelector("s-phone-field") as HTMLElement & { value: string };
  field.value = value;
  field.dispatchEvent(new Event("input"));
  await settle();
}

/** The error a shopper sees in a banner, or null. */
export function bannerText(): string | null {
  return element("s-banner")?.textContent ?? null;
}
