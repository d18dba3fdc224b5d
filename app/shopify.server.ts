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

/**
 * Development and the sandbox point Admin API calls at a local fake Shopify. The library always
 * calls https://<shop>, so the supported runtime hook rewrites *.myshopify.com to that origin.
 */
function redirectAdminApi(adminApiOrigin: string) {
  const origin = new URL(adminApiOrigin);
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

function createShopifyApp() {
  const config = env();
  if (config.SHOPIFY_ADMIN_API_ORIGIN) redirectAdminApi(config.SHOPIFY_ADMIN_API_ORIGIN);
  return shopifyApp({
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
}

type ShopifyApp = ReturnType<typeof createShopifyApp>;
let app: ShopifyApp | undefined;

/**
 * The library is configured on first use, not when this module loads: the environment is read
 * once the process (or a test) has set it, so importing a route never demands credentials.
 */
function shopify(): ShopifyApp {
  app ??= createShopifyApp();
  return app;
}

/** One of the app's members, looked up on the configured app at the moment it is used. */
function lazyMember<K extends keyof ShopifyApp>(key: K): ShopifyApp[K] {
  return new Proxy({} as ShopifyApp[K] & object, {
    get(_target, property) {
      const member = shopify()[key] as object;
      const value: unknown = Reflect.get(member, property);
      return typeof value === "function" ? value.bind(member) : value;
    },
  });
}

export const addDocumentResponseHeaders: ShopifyApp["addDocumentResponseHeaders"] = (request, headers) =>
  shopify().addDocumentResponseHeaders(request, headers);
export const authenticate = lazyMember("authenticate");
export const unauthenticated = lazyMember("unauthenticated");
export const login: ShopifyApp["login"] = (request) => shopify().login(request);
