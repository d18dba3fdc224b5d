import { randomBytes } from "node:crypto";
import pg from "pg";
import { closeDatabase, startServer, type RunningServer } from "../../server/app-server";
import { sourceServerBuild } from "./source-build";

/**
 * Starts the real Rebound server in this process on a free port, with a database of its own: an
 * in-memory PGlite, or a fresh schema in the PostgreSQL that DATABASE_URL names (dropped by
 * stop()). The server runs the app modules the test file imports (one copy of each, so tests
 * share the app's Prisma client to look inside) and serves the production build's browser files.
 */
export const TEST_SECRET = "test-api-secret";
export const TEST_API_KEY = "test-api-key";

export interface TestServer {
  url: string;
  secret: string;
  apiKey: string;
  running: RunningServer;
  stop(): Promise<void>;
}

const baseUrl = process.env.DATABASE_URL;

export async function isolatedDatabaseEnv() {
  if (!baseUrl) {
    process.env.PGLITE_DIR = "memory://";
    delete process.env.DATABASE_URL;
    return async () => {};
  }
  const schema = `t_${process.pid}_${randomBytes(4).toString("hex")}`;
  const url = new URL(baseUrl);
  url.searchParams.delete("schema");
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  url.searchParams.set("schema", schema);
  process.env.DATABASE_URL = url.toString();
  return async () => {
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
    process.env.DATABASE_URL = baseUrl;
  };
}

export async function startTestServer(
  extraEnv: Record<string, string> = {},
  options: { root?: string } = {},
): Promise<TestServer> {
  const dropDatabase = await isolatedDatabaseEnv();
  Object.assign(process.env, {
    NODE_ENV: "production",
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1:0",
    ENCRYPTION_KEYS: "k1:" + Buffer.alloc(32, 7).toString("base64"),
    CONSENT_HASH_SALT: "test-salt",
    LOG_LEVEL: "error",
    ...extraEnv,
  });
  const root = options.root ?? process.cwd();
  const running = await startServer({ build: sourceServerBuild(root), port: 0, host: "127.0.0.1", background: extraEnv.DISPATCHER === "on", root });
  return {
    url: running.url,
    secret: TEST_SECRET,
    apiKey: TEST_API_KEY,
    running,
    async stop() {
      await running.close();
      await closeDatabase();
      await dropDatabase();
    },
  };
}
