/**
 * `npm run demo`: the local sandbox. On 127.0.0.1 only, with no Shopify store, no Meta account
 * and no network, it starts the real Rebound server, a fake Shopify Admin API and a fake
 * WhatsApp Cloud API (tests/fakes), installs a demo shop and plays a week of that shop in
 * simulated time through the app's real endpoints. Then it prints what happened, counted from
 * the database, and keeps the admin open at http://127.0.0.1:3000 (unless --once).
 *
 *   npm run demo              play, then keep serving the admin
 *   npm run demo -- --once    play, print `DEMO {json}` as the last line, exit 0
 *   npm run demo -- --quiet   no line per event (the summary still prints)
 *
 * A run always starts from a clean database (data/sandbox on PGlite, or the schema
 * `rebound_sandbox` when DATABASE_URL points at PostgreSQL).
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import pg from "pg";
import { buildIfStale } from "../scripts/build-if-stale";
import { appGraph } from "../tests/support/app-graph";

const args = new Set(process.argv.slice(2));
const once = args.has("--once");
const quiet = args.has("--quiet");

if (process.env.NODE_ENV === "production") {
  console.error("The sandbox makes up its own app secret and fake services; it refuses to run with NODE_ENV=production.");
  process.exit(1);
}

const SANDBOX_SCHEMA = "rebound_sandbox";
const ADMIN_PORT = Number(process.env.PORT ?? 3000);

/** A clean database for every run, on whichever engine DATABASE_URL selects. */
async function resetDatabase() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.env.PGLITE_DIR = "data/sandbox";
    await rm("data/sandbox", { recursive: true, force: true });
    return "PGlite (data/sandbox)";
  }
  const base = new URL(url);
  base.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: base.toString() });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${SANDBOX_SCHEMA}" CASCADE`);
  await client.query(`CREATE SCHEMA "${SANDBOX_SCHEMA}"`);
  await client.end();
  base.searchParams.set("schema", SANDBOX_SCHEMA);
  process.env.DATABASE_URL = base.toString();
  return `PostgreSQL (${base.host}, schema ${SANDBOX_SCHEMA})`;
}

/**
 * The sandbox owns its app credentials; real ones in the environment are left alone, and only
 * those unset are made up. Its fake WhatsApp signs webhooks with the same Meta app secret.
 */
function sandboxEnvironment() {
  process.env.NODE_ENV = "development";
  process.env.SHOPIFY_API_KEY ||= `sandbox-${randomBytes(8).toString("hex")}`;
  process.env.SHOPIFY_API_SECRET ||= randomBytes(24).toString("base64url");
  process.env.SHOPIFY_APP_URL = `http://127.0.0.1:${ADMIN_PORT}`;
  process.env.HOST = "127.0.0.1";
  process.env.ENCRYPTION_KEYS ||= `sandbox:${randomBytes(32).toString("base64")}`;
  process.env.CONSENT_HASH_SALT ||= randomBytes(16).toString("hex");
  process.env.WHATSAPP_APP_SECRET ||= randomBytes(16).toString("hex");
  process.env.WHATSAPP_VERIFY_TOKEN ||= randomBytes(16).toString("hex");
  process.env.WHATSAPP_APP_ID ||= String(100_000_000_000_000 + (randomBytes(4).readUInt32BE() % 900_000_000_000));
  process.env.WHATSAPP_SIGNUP_CONFIG_ID ||= String(100_000_000 + (randomBytes(4).readUInt32BE() % 900_000_000));
  // App Bridge comes from the sandbox's admin stand-in, not Shopify's CDN.
  process.env.APP_BRIDGE_URL = `http://127.0.0.1:${ADMIN_PORT}/sandbox/app-bridge.js`;
  // The sandbox drives the dispatcher and task runner itself, in simulated time.
  process.env.DISPATCHER = "off";
  process.env.LOG_LEVEL ||= "warn";
}

async function main() {
  const started = Date.now();
  const database = await resetDatabase();
  sandboxEnvironment();
  console.log(`Rebound sandbox on ${database}`);
  if (buildIfStale()) console.log("built the app");

  // The sandbox's modules, the app and the server load through one module graph, so the
  // scenario drives the very app (database, clock, task runners) the server runs.
  const graph = await appGraph();
  const { startFakes } = await graph.load<typeof import("./fakes")>("/sandbox/fakes.ts");
  const fakes = await startFakes({ whatsAppSecret: process.env.WHATSAPP_APP_SECRET!, whatsAppAppId: process.env.WHATSAPP_APP_ID! });
  const { playWeek } = await graph.load<typeof import("./scenario")>("/sandbox/scenario.ts");
  const { startSandboxServices } = await graph.load<typeof import("./services")>("/sandbox/services.ts");
  const { summarise } = await graph.load<typeof import("./summary")>("/sandbox/summary.ts");

  const services = await startSandboxServices({ adminPort: ADMIN_PORT, fakes });
  console.log(`app ${services.appUrl} · fake Shopify ${services.shopify.origin} · fake WhatsApp ${services.whatsapp.origin}`);

  await playWeek(services, { quiet });
  const summary = await summarise(services.shop);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  console.log("");
  console.log(`A week at ${services.shopName}, played in ${seconds}s:`);
  console.log(`  templates submitted from the library ${summary.templatesSubmitted}, approved by WhatsApp ${summary.templatesApproved}`);
  console.log(`  shoppers opted in ${summary.optIns}, opted out ${summary.optOuts}; webhooks received ${summary.webhooks}`);
  console.log(
    `  messages sent ${summary.sent}, delivered ${summary.delivered}, read ${summary.read}, clicked ${summary.clicked}; held back by policy ${summary.blockedByPolicy}`,
  );
  console.log(`  orders recovered ${summary.recoveredOrders}, revenue ${summary.recoveredRevenue.toFixed(2)} ${summary.currency}`);
  console.log(`  sent by flow: ${Object.entries(summary.byFlow).map(([flow, n]) => `${flow} ${n}`).join(", ")}`);

  const demoLine = `DEMO ${JSON.stringify(summary)}`;
  if (once) {
    await services.close();
    console.log(demoLine);
    process.exit(0);
  }
  console.log(demoLine);

  services.startLiveWork();
  console.log("");
  console.log(`The admin is open at http://127.0.0.1:${ADMIN_PORT}/app (Ctrl-C to stop).`);
  const stop = async () => {
    await services.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
