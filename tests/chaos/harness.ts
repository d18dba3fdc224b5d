import { randomBytes } from "node:crypto";
import pg from "pg";
import { forkChild, type Child } from "../../bench/child";
import { seedShop, type ShopSeed } from "../../bench/seed";
import { startFakeWhatsApp, type FakeWhatsApp } from "../fakes/whatsapp/server";
import { TEMPLATES } from "../integration/outbox/fixtures";

/**
 * What every chaos scenario shares: the real server (bench/app-process.ts) in a child process on a
 * fresh PostgreSQL schema, the fake WhatsApp Cloud API in this process, and an admin connection
 * to look inside and to break things (pg_terminate_backend).
 */
export const SECRET = "chaos-api-secret";
export const API_KEY = "chaos-api-key";
export const WHATSAPP_APP_SECRET = "chaos-meta-app-secret";
export const LEASE_MS = 4_000;
/** Between a message's acceptance and its sent status, and between its statuses */
export const STATUS_DELAY_MS = 100;
/** Status webhooks in flight at once */
export const STATUS_CONCURRENCY = 32;

export interface Harness {
  app: Child;
  url: string;
  fake: FakeWhatsApp;
  admin: pg.Client;
  schema: string;
  /** DATABASE_URL for other processes on the same schema, tagged with their own application_name */
  databaseUrl(applicationName: string): string;
  appApplicationName: string;
  baseEnv: Record<string, string>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  addShop(seed: ShopSeed): Promise<void>;
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}


export async function startHarness(baseUrl: string, root: string): Promise<Harness> {
  const schema = `chaos_${process.pid}_${randomBytes(3).toString("hex")}`;
  const plain = new URL(baseUrl);
  plain.searchParams.delete("schema");
  const admin = new pg.Client({ connectionString: plain.toString() });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.query(`SET search_path TO "${schema}"`);
  const databaseUrl = (applicationName: string) => {
    const url = new URL(plain.toString());
    url.searchParams.set("schema", schema);
    url.searchParams.set("application_name", applicationName);
    return url.toString();
  };

  // Meta reports every accepted message back (sent, delivered, read), each status its own POST
  // signed with the app secret, within seconds: the app's /whatsapp/webhook gets them all.
  const fake = await startFakeWhatsApp({
    numbers: [],
    appSecret: WHATSAPP_APP_SECRET,
    autoStatuses: true,
    statusDelayMs: STATUS_DELAY_MS,
    statusConcurrency: STATUS_CONCURRENCY,
  });
  const appApplicationName = `rebound-chaos-app-${process.pid}`;
  const baseEnv: Record<string, string> = {
    NODE_ENV: "production",
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1:0",
    ENCRYPTION_KEYS: "k1:" + Buffer.alloc(32, 9).toString("base64"),
    CONSENT_HASH_SALT: "chaos-salt",
    LOG_LEVEL: "error",
    DISPATCHER: "off",
    DISPATCHER_LEASE_MS: String(LEASE_MS),
    WHATSAPP_API_ORIGIN: fake.origin,
    WHATSAPP_API_VERSION: "v23.0",
    WHATSAPP_APP_SECRET,
  };
  const app = forkChild("bench/app-process.ts", { ...baseEnv, DATABASE_URL: databaseUrl(appApplicationName), PGLITE_DIR: undefined });
  const { url } = await app.call<{ url: string }>("start", { root });
  fake.setWebhookUrl(`${url}/whatsapp/webhook`);

  return {
    app,
    url,
    fake,
    admin,
    schema,
    databaseUrl,
    appApplicationName,
    baseEnv,
    async sql<T>(text: string, params: unknown[] = []) {
      return (await admin.query(text, params)).rows as T[];
    },
    async addShop(seed) {
      fake.addNumber({ phoneNumberId: seed.phoneNumberId, wabaId: seed.wabaId, accessToken: seed.token }, TEMPLATES);
      await seedShop(app, seed, TEMPLATES);
    },
    async close() {
      await app.call("stop").catch(() => {});
      app.kill();
      await fake.close();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/** Row counts of every table of the schema. */
export async function tableCounts(h: Harness): Promise<Record<string, number>> {
  const tables = await h.sql<{ t: string }>(
    `SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`,
    [h.schema],
  );
  const counts: Record<string, number> = {};
  for (const { t } of tables) {
    const [{ n }] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}"`);
    counts[t] = n;
  }
  return counts;
}

/** Rows of every table whose text form (every column, JSON included) contains the needle. */
export async function rowsMentioning(h: Harness, needle: string): Promise<Record<string, number>> {
  const tables = await h.sql<{ t: string }>(
    `SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
    [h.schema],
  );
  const found: Record<string, number> = {};
  for (const { t } of tables) {
    if (t.startsWith("_")) continue;
    const [{ n }] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}" x WHERE x::text ILIKE $1`, [`%${needle}%`]);
    if (n > 0) found[t] = n;
  }
  return found;
}

/** Ends the app's database sessions from the server side, as a failover or an admin would. */
export async function terminateBackends(h: Harness, applicationName: string): Promise<number> {
  const rows = await h.sql<{ ok: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`,
    [applicationName],
  );
  return rows.filter((r) => r.ok).length;
}
