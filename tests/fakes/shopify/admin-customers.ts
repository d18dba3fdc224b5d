import { FakeGraphQLError, type FakeAdminStore, type OperationHandler } from "./admin";

/**
 * Customers of the fake Admin API, with the WhatsApp marketing consent Shopify keeps on their
 * default phone number, and the two operations the app makes on them
 * (app/consent/shopify-consent-admin.server.ts). Kept beside the store rather than in it: tests
 * seed customers with seedCustomer(admin.store, ...), and a merchant's edit in Shopify's admin is
 * setWhatsAppConsentInAdmin(admin.store, ...).
 */

/**
 * CustomerWhatsAppMarketingConsent as the 2026-10 schema has it (state is a
 * CustomerMarketingConsentState, optInLevel a CustomerMarketingOptInLevel).
 * https://shopify.dev/docs/api/admin-graphql/2026-10/objects/CustomerWhatsAppMarketingConsent
 */
export interface FakeWhatsAppConsent {
  state: "NEVER_SUBSCRIBED" | "PENDING" | "REDACTED" | "SUBSCRIBED" | "UNSUBSCRIBED";
  optInLevel: "CONFIRMED_OPT_IN" | "SINGLE_OPT_IN" | "UNKNOWN" | null;
  updatedAt: string | null;
  collectedFrom: "OTHER" | "SHOPIFY" | null;
}

export interface FakeCustomer {
  id: string;
  /** The default phone number, E.164; WhatsApp consent lives on it */
  phone: string | null;
  updatedAt: string;
  whatsAppMarketingConsent: FakeWhatsAppConsent;
}

const customers = new WeakMap<FakeAdminStore, Map<string, Map<string, FakeCustomer>>>();

/** The store's customers, per shop domain, by numeric id. */
export function customersOf(store: FakeAdminStore): Map<string, Map<string, FakeCustomer>> {
  let all = customers.get(store);
  if (!all) customers.set(store, (all = new Map()));
  return all;
}

/** Shopify's DateTime scalar is ISO 8601 in whole seconds, UTC: "2026-12-03T09:15:02Z". */
export const shopifyDateTime = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, "Z");

export function seedCustomer(store: FakeAdminStore, shop: string, customer: Pick<FakeCustomer, "id" | "phone"> & Partial<FakeCustomer>): FakeCustomer {
  if (!store.shops.has(shop)) throw new Error(`seed the shop ${shop} before its customers`);
  const full: FakeCustomer = {
    updatedAt: shopifyDateTime(new Date()),
    whatsAppMarketingConsent: { state: "NEVER_SUBSCRIBED", optInLevel: null, updatedAt: null, collectedFrom: null },
    ...customer,
  };
  const all = customersOf(store);
  const ofShop = all.get(shop) ?? new Map<string, FakeCustomer>();
  ofShop.set(full.id, full);
  all.set(shop, ofShop);
  return full;
}

/** What a merchant does on the customer's page in Shopify's admin (consent "collected by Shopify"). */
export function setWhatsAppConsentInAdmin(
  store: FakeAdminStore,
  shop: string,
  customerId: string,
  consent: Pick<FakeWhatsAppConsent, "state"> & Partial<FakeWhatsAppConsent>,
  at = new Date(),
): FakeCustomer {
  const customer = customersOf(store).get(shop)?.get(customerId);
  if (!customer) throw new Error(`no customer ${customerId} in ${shop}`);
  customer.whatsAppMarketingConsent = { optInLevel: null, collectedFrom: "SHOPIFY", ...consent, updatedAt: consent.updatedAt ?? shopifyDateTime(at) };
  customer.updatedAt = shopifyDateTime(at);
  return customer;
}

function parseCustomerGid(value: unknown): string {
  const match = typeof value === "string" ? /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(value) : null;
  if (!match) throw new FakeGraphQLError(`Invalid global id '${String(value)}'`, "argumentLiteralsIncompatible");
  return match[1];
}

const CONSENT_STATES_SETTABLE = ["PENDING", "SUBSCRIBED", "UNSUBSCRIBED"];
const OPT_IN_LEVELS = ["CONFIRMED_OPT_IN", "SINGLE_OPT_IN", "UNKNOWN"];

const consentOf = (customer: FakeCustomer) => ({ ...customer.whatsAppMarketingConsent });

/**
 * app/consent/shopify-consent-admin.server.ts. Shopify keeps WhatsApp consent on the customer's
 * default phone number: a customer without one has none, and the mutation refuses them ("The
 * customer must have a unique phone number associated with their record"). Refusals are
 * userErrors (CustomerMarketingConsentError: field, message, code of
 * CustomerMarketingConsentErrorCode), not GraphQL errors; NEVER_SUBSCRIBED and REDACTED are
 * read-only states. A consent written through the API was collected outside Shopify (OTHER).
 * https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/customerWhatsAppMarketingConsentUpdate
 */
export const customerConsentOperations: Record<string, OperationHandler> = {
  ReboundCustomerWhatsAppConsent: ({ shop, store, variables, query }) => {
    const id = parseCustomerGid(variables.id);
    const customer = customersOf(store).get(shop.domain)?.get(id);
    if (!customer) return { customer: null };
    const phone = customer.phone
      ? { ...(/\bphoneNumber\b/.test(query) ? { phoneNumber: customer.phone } : {}), whatsAppMarketingConsent: consentOf(customer) }
      : null;
    return { customer: { id: `gid://shopify/Customer/${customer.id}`, defaultPhoneNumber: phone } };
  },
  ReboundWhatsAppConsentUpdate: ({ shop, store, variables, query }) => {
    const refuse = (field: string[], message: string, code: string) => ({
      customerWhatsAppMarketingConsentUpdate: { customerPhoneNumber: null, userErrors: [{ field, message, code }] },
    });
    const input = (variables.input ?? {}) as { customerId?: unknown; whatsAppMarketingConsent?: Record<string, unknown> };
    const id = parseCustomerGid(input.customerId);
    const consent = input.whatsAppMarketingConsent;
    if (!consent || typeof consent.state !== "string") {
      throw new FakeGraphQLError("Variable $input of type CustomerWhatsAppMarketingConsentUpdateInput! was provided invalid value for whatsAppMarketingConsent.state (Expected value to not be null)", "INVALID_VARIABLE");
    }
    if (!CONSENT_STATES_SETTABLE.includes(consent.state)) {
      return refuse(["input", "whatsAppMarketingConsent", "state"], `State ${consent.state} can't be set`, "INCLUSION");
    }
    if (consent.optInLevel != null && !OPT_IN_LEVELS.includes(String(consent.optInLevel))) {
      throw new FakeGraphQLError(`Variable $input was provided invalid value for whatsAppMarketingConsent.optInLevel (Expected "${String(consent.optInLevel)}" to be one of: ${OPT_IN_LEVELS.join(", ")})`, "INVALID_VARIABLE");
    }
    const updatedAt = consent.updatedAt == null ? new Date() : new Date(String(consent.updatedAt));
    if (Number.isNaN(updatedAt.getTime())) {
      throw new FakeGraphQLError(`Variable $input was provided invalid value for whatsAppMarketingConsent.updatedAt (invalid DateTime)`, "INVALID_VARIABLE");
    }
    const customer = customersOf(store).get(shop.domain)?.get(id);
    if (!customer) return refuse(["input", "customerId"], "Customer not found", "INVALID");
    if (!customer.phone) return refuse(["input", "customerId"], "The customer must have a unique phone number associated with their record", "INVALID");
    customer.whatsAppMarketingConsent = {
      state: consent.state as FakeWhatsAppConsent["state"],
      optInLevel: (consent.optInLevel ?? null) as FakeWhatsAppConsent["optInLevel"],
      updatedAt: shopifyDateTime(updatedAt),
      collectedFrom: "OTHER",
    };
    customer.updatedAt = shopifyDateTime(new Date());
    return {
      customerWhatsAppMarketingConsentUpdate: {
        customerPhoneNumber: { ...(/\bphoneNumber\b/.test(query) ? { phoneNumber: customer.phone } : {}), whatsAppMarketingConsent: consentOf(customer) },
        userErrors: [],
      },
    };
  },
};
