import { z } from "zod";
import type { TemplateParams } from "../outbox/types";
import { WhatsAppApiError } from "./errors";
import { graphCall } from "./graph-transport.server";
import { numberSignalsAnswer, numberSignalsFields, type NumberSignals } from "./number-signals";
import { templateComponents } from "./template-components";

/**
 * A small typed client for the WhatsApp Cloud API (Graph API). Origin and version come from
 * configuration so tests and the sandbox talk to the local fake; answers are parsed with zod
 * into typed results or WhatsAppApiError. Why not whatsapp-api-js, and why node:http rather
 * than fetch: docs/decisions/005-whatsapp-client.md.
 */
export interface WhatsAppCredentials {
  phoneNumberId: string;
  businessAccountId: string;
  /** Decrypted; never logged, never put in an error message. */
  accessToken: string;
}

export interface TemplateSend {
  /** E.164 with "+" */
  to: string;
  templateName: string;
  language: string;
  params: TemplateParams;
  /** Marketing templates through the Marketing Messages API endpoint */
  viaMarketingApi?: boolean;
  /** Returned by Meta in status webhooks: we put the notification id here */
  callbackData?: string;
}

export interface SentMessage {
  waMessageId: string;
  waId: string | null;
}

export interface RemoteTemplate {
  id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  components: unknown[];
}

/** A business phone number as Meta lists it on its WhatsApp Business Account. */
export interface RemotePhoneNumber {
  id: string;
  displayPhoneNumber: string | null;
  verifiedName: string | null;
}

export interface WhatsAppClient {
  sendTemplate(credentials: WhatsAppCredentials, message: TemplateSend): Promise<SentMessage>;
  listTemplates(credentials: WhatsAppCredentials): Promise<RemoteTemplate[]>;
  /** The account's numbers, read with the token: proves the token can read the account. */
  listPhoneNumbers(account: { businessAccountId: string; accessToken: string }): Promise<RemotePhoneNumber[]>;
  /** The number's messaging limit and quality, and whether the account sends marketing through the MM API. */
  readNumberSignals(credentials: WhatsAppCredentials): Promise<NumberSignals>;
}

export interface ClientOptions {
  origin: string;
  version: string;
  /** The whole exchange, from connecting to the last byte of the answer */
  timeoutMs?: number;
  /** Templates per page when listing (Graph API `limit`) */
  pageSize?: number;
}

const sendAnswer = z.object({
  messaging_product: z.literal("whatsapp"),
  contacts: z.array(z.object({ input: z.string(), wa_id: z.string().optional() })).optional(),
  messages: z.array(z.object({ id: z.string().min(1) })).min(1),
});

const templatesAnswer = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      language: z.string(),
      category: z.string(),
      status: z.string(),
      components: z.array(z.unknown()).default([]),
    }),
  ),
  paging: z.object({ next: z.string().optional() }).passthrough().optional(),
});

const phoneNumbersAnswer = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      display_phone_number: z.string().optional(),
      verified_name: z.string().optional(),
    }),
  ),
  paging: z.object({ next: z.string().optional() }).passthrough().optional(),
});

export function createWhatsAppClient(options: ClientOptions): WhatsAppClient {
  const base = `${options.origin.replace(/\/$/, "")}/${options.version}`;
  const timeoutMs = options.timeoutMs ?? 15_000;

  const call = (url: string, token: string, init: { method?: "GET" | "POST"; body?: string } = {}) =>
    graphCall(url, token, { ...init, timeoutMs });

  /** Every item of a Graph API list, following its cursor paging links. */
  async function readPages<T>(first: string, token: string, schema: z.ZodType<{ data: T[]; paging?: { next?: string } }>, what: string): Promise<T[]> {
    const items: T[] = [];
    let url: string | undefined = first;
    // A bound keeps a misbehaving server from looping us.
    for (let page = 0; url && page < 100; page++) {
      const parsed = schema.safeParse(await call(url, token));
      if (!parsed.success) throw new WhatsAppApiError({ code: 1, title: `Unexpected ${what} answer`, httpStatus: 502 });
      items.push(...parsed.data.data);
      const next: string | undefined = parsed.data.paging?.next;
      // Paging links point at graph.facebook.com; keep talking to the configured origin.
      url = next ? `${options.origin.replace(/\/$/, "")}${new URL(next).pathname}${new URL(next).search}` : undefined;
    }
    return items;
  }

  return {
    async sendTemplate(credentials, message) {
      // Meta's Marketing Messages API takes the same template payload on its own edge.
      // https://developers.facebook.com/docs/whatsapp/marketing-messages-api-for-whatsapp
      const edge = message.viaMarketingApi ? "marketing_messages" : "messages";
      const payload: Record<string, unknown> = {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: message.to,
        type: "template",
        template: {
          name: message.templateName,
          language: { code: message.language },
          components: templateComponents(message.params),
        },
      };
      if (message.callbackData) payload.biz_opaque_callback_data = message.callbackData;
      const body = await call(`${base}/${encodeURIComponent(credentials.phoneNumberId)}/${edge}`, credentials.accessToken, {
        method: "POST",
        body: JSON.stringify(payload),
      });
      const parsed = sendAnswer.safeParse(body);
      if (!parsed.success) throw new WhatsAppApiError({ code: 1, title: "Unexpected send answer", httpStatus: 502 });
      return { waMessageId: parsed.data.messages[0].id, waId: parsed.data.contacts?.[0]?.wa_id ?? null };
    },

    async listTemplates(credentials) {
      const fields = "id,name,language,category,status,components";
      const first = `${base}/${encodeURIComponent(credentials.businessAccountId)}/message_templates?fields=${fields}&limit=${options.pageSize ?? 100}`;
      return readPages(first, credentials.accessToken, templatesAnswer, "template list");
    },

    // GET /{waba-id}/phone_numbers lists the account's numbers; a token that cannot read the
    // account gets Graph error 100 (subcode 33) or 200, a bad token 190.
    // https://developers.facebook.com/docs/whatsapp/business-management-api/manage-phone-numbers
    async listPhoneNumbers(account) {
      const fields = "id,display_phone_number,verified_name";
      const first = `${base}/${encodeURIComponent(account.businessAccountId)}/phone_numbers?fields=${fields}&limit=${options.pageSize ?? 100}`;
      const numbers = await readPages(first, account.accessToken, phoneNumbersAnswer, "phone number list");
      return numbers.map((n) => ({ id: n.id, displayPhoneNumber: n.display_phone_number ?? null, verifiedName: n.verified_name ?? null }));
    },

    // GET /{phone-number-id}?fields=whatsapp_business_manager_messaging_limit,quality_rating and
    // GET /{waba-id}?fields=marketing_messages_onboarding_status (see ./number-signals.ts).
    async readNumberSignals(credentials) {
      const number = await call(`${base}/${encodeURIComponent(credentials.phoneNumberId)}?fields=${numberSignalsFields.number}`, credentials.accessToken);
      // An account Meta has not offered the Marketing Messages API to may not know the field:
      // the limit still counts, the MM API status stays unknown.
      const account = await call(`${base}/${encodeURIComponent(credentials.businessAccountId)}?fields=${numberSignalsFields.account}`, credentials.accessToken).catch(
        (error: unknown) => {
          if (error instanceof WhatsAppApiError && error.code === 100) return {};
          throw error;
        },
      );
      const parsed = numberSignalsAnswer(number, account);
      if (!parsed) throw new WhatsAppApiError({ code: 1, title: "Unexpected phone number answer", httpStatus: 502 });
      return parsed;
    },
  };
}
