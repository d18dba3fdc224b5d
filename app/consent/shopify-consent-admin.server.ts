import { z } from "zod";
import type { SafeDetail } from "../shared/log.server";

/**
 * The customer's WhatsApp marketing consent in Shopify, read and written through the GraphQL
 * Admin API 2026-10. Shopify keeps it on the customer's default phone number
 * (CustomerPhoneNumber.whatsAppMarketingConsent) and identifies the WhatsApp account by that
 * number; the mutation needs `write_customers`.
 * https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/customerWhatsAppMarketingConsentUpdate
 * https://shopify.dev/docs/api/admin-graphql/2026-10/objects/CustomerWhatsAppMarketingConsent
 */
export interface AdminGraphql {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

export const CUSTOMER_WHATSAPP_CONSENT_QUERY = `#graphql
  query ReboundCustomerWhatsAppConsent($id: ID!) {
    customer(id: $id) {
      id
      defaultPhoneNumber {
        phoneNumber
        whatsAppMarketingConsent { state optInLevel updatedAt collectedFrom }
      }
    }
  }`;

// The payload's phone number is not selected: nothing here needs it back.
export const WHATSAPP_CONSENT_UPDATE_MUTATION = `#graphql
  mutation ReboundWhatsAppConsentUpdate($input: CustomerWhatsAppMarketingConsentUpdateInput!) {
    customerWhatsAppMarketingConsentUpdate(input: $input) {
      customerPhoneNumber {
        whatsAppMarketingConsent { state optInLevel updatedAt }
      }
      userErrors { field message code }
    }
  }`;

/** CustomerMarketingConsentState; NEVER_SUBSCRIBED and REDACTED are read-only. */
const consentState = z.enum(["NEVER_SUBSCRIBED", "PENDING", "REDACTED", "SUBSCRIBED", "UNSUBSCRIBED"]);
/** CustomerMarketingOptInLevel (M3AAWG levels) */
const optInLevel = z.enum(["CONFIRMED_OPT_IN", "SINGLE_OPT_IN", "UNKNOWN"]);

const consent = z.object({
  state: consentState,
  optInLevel: optInLevel.nullish(),
  updatedAt: z.string().nullish(),
  collectedFrom: z.enum(["OTHER", "SHOPIFY"]).nullish(),
});

const graphqlErrors = z.array(z.object({ message: z.string() })).optional();

const customerAnswer = z.object({
  data: z
    .object({
      customer: z
        .object({
          id: z.string(),
          defaultPhoneNumber: z.object({ phoneNumber: z.string(), whatsAppMarketingConsent: consent }).nullable(),
        })
        .nullable(),
    })
    .nullish(),
  errors: graphqlErrors,
});

const updateAnswer = z.object({
  data: z
    .object({
      customerWhatsAppMarketingConsentUpdate: z
        .object({
          customerPhoneNumber: z.object({ whatsAppMarketingConsent: consent.partial({ collectedFrom: true }) }).nullable(),
          userErrors: z.array(
            z.object({
              field: z.array(z.string()).nullish(),
              message: z.string(),
              code: z.enum(["INCLUSION", "INTERNAL_ERROR", "INVALID", "MISSING_ARGUMENT"]).nullish(),
            }),
          ),
        })
        .nullable(),
    })
    .nullish(),
  errors: graphqlErrors,
});

export type ShopifyConsent = z.infer<typeof consent>;
export type OptInLevel = z.infer<typeof optInLevel>;

export interface ShopifyCustomerConsent {
  /** As Shopify stores it (E.164) */
  phoneNumber: string;
  consent: ShopifyConsent;
}

/**
 * A call Shopify answered with a GraphQL error or a userError. Messages carry codes and field
 * paths only: Shopify's own message may quote the customer's phone number.
 */
export class ShopifyConsentError extends Error implements SafeDetail {
  /** Built from userError codes, field paths and HTTP statuses only (never the phone) */
  readonly safeDetail: string;
  constructor(
    message: string,
    /** false: the same call will be refused again (an unknown customer, no phone number) */
    public readonly retryable: boolean,
  ) {
    super(message);
    this.name = "ShopifyConsentError";
    this.safeDetail = message;
  }
}

const gid = (customerId: string) => `gid://shopify/Customer/${customerId}`;

/** The customer's default phone number and its WhatsApp consent; null when either is missing. */
export async function readCustomerConsent(admin: AdminGraphql, customerId: string): Promise<ShopifyCustomerConsent | null> {
  const response = await admin.graphql(CUSTOMER_WHATSAPP_CONSENT_QUERY, { variables: { id: gid(customerId) } });
  const answer = customerAnswer.parse(await response.json());
  if (answer.errors?.length || !answer.data) {
    throw new ShopifyConsentError(`customer consent: GraphQL error (${answer.errors?.length ?? 0})`, true);
  }
  const phone = answer.data.customer?.defaultPhoneNumber;
  return phone ? { phoneNumber: phone.phoneNumber, consent: phone.whatsAppMarketingConsent } : null;
}

export interface ConsentWrite {
  state: "SUBSCRIBED" | "UNSUBSCRIBED";
  optInLevel?: OptInLevel;
  /** When the shopper gave or withdrew consent, from Rebound's ledger */
  updatedAt: Date;
}

/** Writes the consent; a userError is a ShopifyConsentError (retryable only for INTERNAL_ERROR). */
export async function writeCustomerConsent(admin: AdminGraphql, customerId: string, write: ConsentWrite): Promise<ShopifyConsent> {
  // sourceLocationId names a Shopify Location (a store or warehouse, as at a POS); opt-ins taken
  // on the online store, cart or checkout have none, so it is left out.
  const whatsAppMarketingConsent = {
    state: write.state,
    ...(write.optInLevel ? { optInLevel: write.optInLevel } : {}),
    updatedAt: write.updatedAt.toISOString(),
  };
  const response = await admin.graphql(WHATSAPP_CONSENT_UPDATE_MUTATION, {
    variables: { input: { customerId: gid(customerId), whatsAppMarketingConsent } },
  });
  const answer = updateAnswer.parse(await response.json());
  const result = answer.data?.customerWhatsAppMarketingConsentUpdate;
  if (answer.errors?.length || !result) {
    throw new ShopifyConsentError(`customerWhatsAppMarketingConsentUpdate: GraphQL error (${answer.errors?.length ?? 0})`, true);
  }
  if (result.userErrors.length > 0) {
    const codes = result.userErrors.map((e) => `${e.code ?? "UNKNOWN"} on ${(e.field ?? []).join(".") || "input"}`);
    const retryable = result.userErrors.every((e) => e.code === "INTERNAL_ERROR");
    throw new ShopifyConsentError(`customerWhatsAppMarketingConsentUpdate refused: ${codes.join(", ")}`, retryable);
  }
  if (!result.customerPhoneNumber) throw new ShopifyConsentError("customerWhatsAppMarketingConsentUpdate: no phone number in the answer", true);
  return { collectedFrom: null, ...result.customerPhoneNumber.whatsAppMarketingConsent };
}
