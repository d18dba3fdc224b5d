import http from "node:http";
import https from "node:https";
import { z } from "zod";
import type { TemplateParams } from "../outbox/types";
import { WhatsAppApiError, WhatsAppUnreachable } from "./errors";
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

const graphError = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number(),
    error_subcode: z.number().optional(),
    error_user_title: z.string().optional(),
    error_data: z.object({ details: z.string().optional() }).passthrough().optional(),
  }),
});

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

/** A Graph API answer, read in full. */
interface Answer {
  status: number;
  statusText: string;
  text: string;
}

/**
 * Connections to the Graph API stay open between sends and are shared by every client of the
 * process, as fetch's global pool would. A connection left idle is closed after a few seconds
 * (fetch's default too), before a server closes it under a request.
 */
const IDLE_SOCKET_MS = 4_000;
const agents = {
  "http:": new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  "https:": new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
};

/**
 * One request over node:http(s). At the dispatcher's rate (up to 1,000 sends a second per
 * number) fetch cost almost three times the allocation per send and kept much of it past the
 * young generation (its Request and Response are registered with a FinalizationRegistry, which
 * only a full collection clears), so the old generation grew by about 25 KB per send between
 * collections. Here a send allocates its buffers and a few objects that die young.
 * Rejects only with WhatsAppUnreachable: no answer, or not all of it.
 */
function exchange(url: string, method: "GET" | "POST", headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      return reject(new WhatsAppUnreachable(`unsupported protocol ${target.protocol}`));
    }
    const request = (target.protocol === "https:" ? https : http).request(target, {
      method,
      agent: agents[target.protocol],
      headers: body === undefined ? headers : { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
    });
    let settled = false;
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      request.destroy();
    }, timeoutMs);
    deadline.unref();
    const fail = (cause: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      reject(new WhatsAppUnreachable(timedOut ? `no answer within ${timeoutMs} ms` : cause));
    };
    request.on("error", (error: NodeJS.ErrnoException) => fail(error.code ?? error.name));
    request.on("close", () => fail("connection closed before an answer"));
    request.on("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("error", (error: NodeJS.ErrnoException) => fail(error.code ?? error.name));
      response.on("close", () => fail("connection closed before the end of the answer"));
      response.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? "", text });
      });
    });
    request.end(body);
  });
}

export function createWhatsAppClient(options: ClientOptions): WhatsAppClient {
  const base = `${options.origin.replace(/\/$/, "")}/${options.version}`;
  const timeoutMs = options.timeoutMs ?? 15_000;

  async function call(url: string, token: string, init: { method?: "GET" | "POST"; body?: string } = {}): Promise<unknown> {
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json" };
    const response = await exchange(url, init.method ?? "GET", headers, init.body, timeoutMs);
    const ok = response.status >= 200 && response.status < 300;
    let body: unknown;
    try {
      body = JSON.parse(response.text);
    } catch {
      if (ok) throw new WhatsAppApiError({ code: 1, title: "Answer is not JSON", httpStatus: 502 });
      throw new WhatsAppApiError({ code: response.status, title: response.statusText || "HTTP error", httpStatus: response.status });
    }
    if (!ok) {
      const parsed = graphError.safeParse(body);
      if (!parsed.success) {
        throw new WhatsAppApiError({ code: response.status, title: "Unrecognised error answer", httpStatus: response.status });
      }
      const e = parsed.data.error;
      throw new WhatsAppApiError({
        code: e.code,
        title: e.error_user_title ?? e.message ?? e.type ?? "error",
        details: e.error_data?.details ?? null,
        httpStatus: response.status,
        subcode: e.error_subcode ?? null,
      });
    }
    return body;
  }

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
