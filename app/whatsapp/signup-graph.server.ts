import { randomInt } from "node:crypto";
import { z } from "zod";
import { env } from "../env.server";
import { WhatsAppApiError } from "./errors";
import { graphCall } from "./graph-transport.server";

/**
 * The Graph API calls of Embedded Signup and of undoing it, with the platform's one Meta app.
 *   GET    /{version}/oauth/access_token?client_id&client_secret&code  -> { access_token, token_type }
 *   POST   /{version}/{waba-id}/subscribed_apps                         -> { success: true }
 *   DELETE /{version}/{waba-id}/subscribed_apps                         -> { success: true }
 *   POST   /{version}/{phone-number-id}/register {messaging_product, pin} -> { success: true }
 *   POST   /{version}/{phone-number-id}/deregister                      -> { success: true }
 * https://developers.facebook.com/docs/whatsapp/embedded-signup/implementation
 * https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/subscribed_apps/
 * https://developers.facebook.com/docs/whatsapp/cloud-api/reference/registration
 */
export interface SignupGraph {
  /** The code from FB.login lives about 30 seconds and is good once. */
  exchangeCode(code: string): Promise<string>;
  subscribeApp(businessAccountId: string, accessToken: string): Promise<void>;
  unsubscribeApp(businessAccountId: string, accessToken: string): Promise<void>;
  registerNumber(phoneNumberId: string, accessToken: string, pin: string): Promise<void>;
  deregisterNumber(phoneNumberId: string, accessToken: string): Promise<void>;
}

const tokenAnswer = z.object({ access_token: z.string().min(1), token_type: z.string().optional() });
const successAnswer = z.object({ success: z.literal(true) });

export function createSignupGraph(options: { origin: string; version: string; appId: string; appSecret: string; timeoutMs?: number }): SignupGraph {
  const base = `${options.origin.replace(/\/$/, "")}/${options.version}`;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const succeed = async (what: string, answer: Promise<unknown>) => {
    if (!successAnswer.safeParse(await answer).success) throw new WhatsAppApiError({ code: 1, title: `Unexpected ${what} answer`, httpStatus: 502 });
  };
  return {
    async exchangeCode(code) {
      const query = new URLSearchParams({ client_id: options.appId, client_secret: options.appSecret, code });
      const parsed = tokenAnswer.safeParse(await graphCall(`${base}/oauth/access_token?${query}`, null, { timeoutMs }));
      if (!parsed.success) throw new WhatsAppApiError({ code: 1, title: "Unexpected access token answer", httpStatus: 502 });
      return parsed.data.access_token;
    },
    subscribeApp: (waba, token) => succeed("subscription", graphCall(`${base}/${encodeURIComponent(waba)}/subscribed_apps`, token, { method: "POST", timeoutMs })),
    unsubscribeApp: (waba, token) => succeed("unsubscription", graphCall(`${base}/${encodeURIComponent(waba)}/subscribed_apps`, token, { method: "DELETE", timeoutMs })),
    registerNumber: (phone, token, pin) =>
      succeed("registration", graphCall(`${base}/${encodeURIComponent(phone)}/register`, token, {
        method: "POST",
        body: JSON.stringify({ messaging_product: "whatsapp", pin }),
        timeoutMs,
      })),
    deregisterNumber: (phone, token) => succeed("deregistration", graphCall(`${base}/${encodeURIComponent(phone)}/deregister`, token, { method: "POST", timeoutMs })),
  };
}

/** What the admin needs to offer Embedded Signup; null when the app id or configuration is unset. */
export interface SignupConfig {
  appId: string;
  configId: string;
  graphVersion: string;
  sdkUrl: string;
  origins: string[];
}

export function signupConfigFromEnv(): SignupConfig | null {
  const config = env();
  if (!config.WHATSAPP_APP_ID || !config.WHATSAPP_SIGNUP_CONFIG_ID) return null;
  return {
    appId: config.WHATSAPP_APP_ID,
    configId: config.WHATSAPP_SIGNUP_CONFIG_ID,
    graphVersion: config.WHATSAPP_API_VERSION,
    sdkUrl: config.WHATSAPP_SDK_URL,
    origins: config.WHATSAPP_SIGNUP_ORIGINS,
  };
}

/** The process's signup calls; null unless the app id and secret are both set. */
export function signupGraphFromEnv(): SignupGraph | null {
  const config = env();
  if (!config.WHATSAPP_APP_ID || !config.WHATSAPP_APP_SECRET) return null;
  return createSignupGraph({ origin: config.WHATSAPP_API_ORIGIN, version: config.WHATSAPP_API_VERSION, appId: config.WHATSAPP_APP_ID, appSecret: config.WHATSAPP_APP_SECRET });
}

/** A six-digit two-step verification PIN (Meta's register call sets it on the number). */
export const newRegistrationPin = () => String(randomInt(0, 1_000_000)).padStart(6, "0");
