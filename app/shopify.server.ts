import "@shopify/shopify-app-remix/adapters/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import {
  AppDistribution,
  LogSeverity,
  shopifyApp,
} from "@shopify/shopify-app-remix/server";
import { env } from "./env.server";
import { log } from "./shared/log.server";
import { ADMIN_API_VERSION } from "./shops/api-version";
import { MigratedSessionStorage } from "./shops/session-storage.server";
import { recordInstall } from "./shops/shop.server";

const config = env();

// Development and the sandbox point Admin API calls at a local fake Shopify. The library always
// calls https://<shop>, so the supported runtime hook rewrites *.myshopify.com to that origin.
if (config.SHOPIFY_ADMIN_API_ORIGIN) {
  const origin = new URL(config.SHOPIFY_ADMIN_API_ORIGIN);
  const realFetch = globalThis.fetch;
  setAbstractFetchFunc((input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.hostname.endsWith(".myshopify.com")) {
      const shop = url.hostname;
      url.protocol = origin.protocol;
      url.host = origin.host;
      url.pathname = `/${shop}${url.pathname}`;
      return realFetch(url, init);
    }
    return realFetch(input, init);
  });
}

// The library logs every authenticated request at Info; LOG_LEVEL decides what reaches the output.
const LOG_SEVERITY = {
  debug: LogSeverity.Debug,
  info: LogSeverity.Info,
  warn: LogSeverity.Warning,
  error: LogSeverity.Error,
  silent: LogSeverity.Error,
} as const;
const LEVEL_OF = {
  [LogSeverity.Debug]: "debug",
  [LogSeverity.Info]: "info",
  [LogSeverity.Warning]: "warn",
  [LogSeverity.Error]: "error",
} as const;
// The library's debug lines quote request URLs, whose query may hold a session token (id_token)
// or a signature.
const SIGNED_PARAM = /\b(id_token|token|hmac|signature|session)=[^&\s,}]+/gi;

/** The library's lines go through the app's logger: JSON, with the request id, LOG_LEVEL applied. */
function libraryLog(severity: LogSeverity, message: string) {
  log[LEVEL_OF[severity]]("shopify library", { detail: message.replace(SIGNED_PARAM, "$1=[redacted]") });
}

const shopify = shopifyApp({
  logger: { level: LOG_SEVERITY[config.LOG_LEVEL], log: libraryLog },
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: ADMIN_API_VERSION,
  scopes: config.SCOPES.split(","),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new MigratedSessionStorage(),
  distribution: AppDistribution.AppStore,
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  hooks: {
    afterAuth: async ({ session, admin }) => {
      await recordInstall(session.shop, admin);
    },
  },
});

export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
