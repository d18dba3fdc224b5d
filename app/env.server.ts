import { z } from "zod";

/**
 * Every setting Rebound reads from the environment, checked once at start-up. Code imports the
 * parsed values from here, never `process.env`. The README's configuration table mirrors this.
 */
const optionalUrl = z.string().url().optional();

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: z.string().min(1, "is required"),
  SHOPIFY_API_SECRET: z.string().min(1, "is required"),
  SHOPIFY_APP_URL: z.string().url(),
  /** Must equal shopify.app.toml's [access_scopes]: what a managed installation grants. */
  SCOPES: z.string().default("read_products,read_inventory,read_orders,read_locales,write_customers,write_discounts"),
  /** postgres:// URL; unset = embedded PGlite under PGLITE_DIR. `?schema=x` selects a schema. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  PGLITE_DIR: z.string().default("data/pglite"),
  /**
   * PostgreSQL only. Shopify drops a webhook delivery after 5 s and retries it: a statement that
   * cannot finish (or a lock that cannot be had) well inside that fails with a 5xx Shopify
   * retries, instead of requests piling up behind a stalled database. Long work (fan-outs,
   * maintenance) raises its own limit per transaction; migrations run without one.
   */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(3_000),
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(1_000),
  /** Waiting for a pooled connection (or opening one) longer than this fails the request. */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(1_500),
  /** The statement limit of background fan-outs and maintenance (tasks, never a request). */
  DATABASE_LONG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** 32 bytes, base64: encrypts WhatsApp access and verify tokens at rest. Several keys rotate as "id:key,id:key" (first encrypts). */
  ENCRYPTION_KEYS: z.string().optional(),
  /** Salt for hashing IP and user agent in consent proofs. */
  CONSENT_HASH_SALT: z.string().optional(),
  /** Send Admin API calls for *.myshopify.com to this origin instead (local fake Shopify). */
  SHOPIFY_ADMIN_API_ORIGIN: optionalUrl,
  /** Graph API origin for WhatsApp (local fake in tests and the sandbox). */
  WHATSAPP_API_ORIGIN: z.string().url().default("https://graph.facebook.com"),
  WHATSAPP_API_VERSION: z.string().default("v23.0"),
  /**
   * The secret of Rebound's Meta app (Rebound is a Tech Provider: one app for every merchant).
   * Meta signs every WhatsApp webhook with it, and nothing else verifies one; unset, WhatsApp
   * webhooks are refused. docs/decisions/019-one-meta-app-secret.md
   */
  WHATSAPP_APP_SECRET: z.string().optional(),
  /**
   * The verify token set with the webhook's callback URL on that Meta app, once for every
   * merchant; Meta's subscription check (GET) must echo it. Unset, the check answers 403.
   * docs/decisions/023-one-verify-token.md
   */
  WHATSAPP_VERIFY_TOKEN: z.string().optional(),
  /** The id of that Meta app (numeric), for Embedded Signup's code exchange. */
  WHATSAPP_APP_ID: z.string().regex(/^[0-9]{1,32}$/, "must be the numeric Meta app id").optional(),
  /**
   * The Embedded Signup configuration (Facebook Login for Business) on that Meta app. With the app
   * id it shows "Connect WhatsApp"; without either, only the manual form. ADR 031.
   */
  WHATSAPP_SIGNUP_CONFIG_ID: z.string().regex(/^[0-9]{1,32}$/, "must be the numeric configuration id").optional(),
  /** Where the admin loads the Facebook JS SDK from (the sandbox and tests serve a local stand-in). */
  WHATSAPP_SDK_URL: z.string().url().default("https://connect.facebook.net/en_US/sdk.js"),
  /**
   * Origins whose Embedded Signup session-info messages the admin accepts (comma separated).
   * Meta's popup posts them from www.facebook.com or web.facebook.com.
   */
  WHATSAPP_SIGNUP_ORIGINS: z
    .string()
    .default("https://www.facebook.com,https://web.facebook.com")
    .transform((list) => list.split(",").map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().url().transform((o) => new URL(o).origin)).min(1, "needs at least one origin")),
  /** Where App Bridge is loaded from; the sandbox serves a local stand-in. */
  APP_BRIDGE_URL: optionalUrl,
  /** "off" runs no dispatcher in the web process (use `npm run worker` processes instead). */
  DISPATCHER: z.enum(["on", "off"]).default("on"),
  /** How long a dispatcher owns the messages it claimed; a crashed worker's rows return after it. */
  DISPATCHER_LEASE_MS: z.coerce.number().int().min(1000).default(120_000),
  /**
   * Messages claimed per dispatcher poll. The gate's facts are read once per batch, and the next
   * claim waits for the batch's last send, so small batches keep a number well below the 1,000
   * msg/s Meta allows at the top throughput level. 1,000 rows stay inside the default lease even
   * at Meta's default 80 msg/s (about 13 s).
   */
  DISPATCHER_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(1000),
  /**
   * Connections one back-in-stock fan-out spreads over on PostgreSQL: a restock for 100,000
   * waiting shoppers is CPU-bound in the database, and a second backend nearly halves it. Each
   * part has its own transaction; PGlite has one connection and always uses one part.
   */
  FANOUT_PARALLELISM: z.coerce.number().int().min(1).max(8).default(2),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /**
   * Proxies of the deployment's own in front of the app (a load balancer: 1). Each appends the
   * address it was connected from to X-Forwarded-For, so only that many entries, counted from the
   * right, are trustworthy; everything to their left is whatever the caller wrote.
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Opt-in confirmations (double opt-in, or a shopper widening their consent) one shop may send
   * per hour. Each is a paid message from the merchant's number and, when unwanted, a quality
   * risk; a flood of forged sign-ups stops here instead of at Meta's quality rating.
   */
  OPTIN_CONFIRMATIONS_PER_HOUR: z.coerce.number().int().min(1).default(300),
});

export type Env = z.infer<typeof schema>;

export class InvalidEnvironment extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid environment:\n  ${problems.join("\n  ")}`);
    this.name = "InvalidEnvironment";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new InvalidEnvironment(
      result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
    );
  }
  return result.data;
}

let cached: Env | undefined;

/** The parsed environment; throws InvalidEnvironment listing every bad variable. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * Only the database settings, for commands that touch nothing else (`npm run setup`): applying
 * migrations must not demand the Shopify credentials.
 */
export function databaseEnv(source: Record<string, string | undefined> = process.env) {
  const picked = schema.pick({
    DATABASE_URL: true,
    PGLITE_DIR: true,
    DATABASE_STATEMENT_TIMEOUT_MS: true,
    DATABASE_LOCK_TIMEOUT_MS: true,
    DATABASE_CONNECT_TIMEOUT_MS: true,
    DATABASE_LONG_STATEMENT_TIMEOUT_MS: true,
  });
  const result = picked.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== "")));
  if (!result.success) {
    throw new InvalidEnvironment(result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  return result.data;
}

/** The database settings and ENCRYPTION_KEYS, for `npm run keys:rotate`. */
export function keyRotationEnv(source: Record<string, string | undefined> = process.env) {
  const picked = schema.pick({ DATABASE_URL: true, PGLITE_DIR: true, ENCRYPTION_KEYS: true });
  const result = picked.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== "")));
  if (!result.success) {
    throw new InvalidEnvironment(result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  return result.data;
}
