/**
 * `npm run bench [-- --quick]`: Rebound's throughput against a baseline measured in the same run
 * on the same database. Three figures, on PostgreSQL (when reachable) and on the embedded PGlite:
 *   ingest   signed carts/update + inventory_levels/update at 64 connections, vs a bare HMAC+INSERT server
 *   fan-out  a restock webhook for a variant with N shoppers waiting, until the task has scheduled them,
 *            vs a plain INSERT … SELECT of the same rows into an outbox-like table with three indexes
 *   dispatch due messages to the fake WhatsApp Cloud API with the number capped at 1,000 msg/s
 * The server, the baseline server and the load generator each run in a process of their own.
 * The last line is `BENCH {json}`.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inventoryLevelPayload } from "../tests/fakes/shopify/payloads";
import { sendWebhook } from "../tests/fakes/shopify/webhooks";
import { startFakeWhatsApp, type FakeWhatsApp } from "../tests/fakes/whatsapp/server";
import { TEMPLATES } from "../tests/integration/outbox/fixtures";
import { snapshotBuild } from "../scripts/build-snapshot";
import { forkChild, type Child } from "./child";
import type { LoadResult } from "./load";
import { printTable, type Row } from "./report";
import { seedCatalogue, seedDue, seedShop, seedSubscribers, seedWaiting } from "./seed";
import { reachablePostgres } from "../scripts/reachable-postgres";

const quick = process.argv.includes("--quick");
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
/** --only=ingest,fanout,dispatch and --db=postgresql|pglite narrow a run (for profiling one stage) */
const only = new Set((option("only") ?? "ingest,fanout,dispatch").split(","));
const databases = new Set((option("db") ?? "postgresql,pglite").split(","));
/** --cpu-prof=DIR writes a V8 CPU profile of the server process there */
const cpuProfileDir = option("cpu-prof");
const SECRET = "bench-api-secret";
const DISPATCH_CAP = 1000;
const CONNECTIONS = 64;

interface Sizes {
  ingestMs: number;
  warmupMs: number;
  fanout: number;
  dispatch: number;
  dispatchLimitMs: number;
}

const SIZES: Record<"postgresql" | "pglite", Sizes> = quick
  ? {
      postgresql: { ingestMs: 6_000, warmupMs: 1_500, fanout: 100_000, dispatch: 10_000, dispatchLimitMs: 25_000 },
      pglite: { ingestMs: 4_000, warmupMs: 1_000, fanout: 10_000, dispatch: 2_000, dispatchLimitMs: 12_000 },
    }
  : {
      postgresql: { ingestMs: 20_000, warmupMs: 3_000, fanout: 100_000, dispatch: 20_000, dispatchLimitMs: 90_000 },
      pglite: { ingestMs: 10_000, warmupMs: 2_000, fanout: 20_000, dispatch: 5_000, dispatchLimitMs: 40_000 },
    };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : null);


/** A fresh schema for this run, dropped afterwards. */
async function freshSchema(baseUrl: string) {
  const schema = `bench_${process.pid}_${randomBytes(3).toString("hex")}`;
  const url = new URL(baseUrl);
  url.searchParams.delete("schema");
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const plain = url.toString();
  url.searchParams.set("schema", schema);
  return {
    schema,
    plainUrl: plain,
    appUrl: url.toString(),
    async drop() {
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

async function runLoad(url: string, shop: string, items: unknown[], sizes: Sizes): Promise<LoadResult> {
  const load = forkChild("bench/load.ts");
  try {
    return await load.call<LoadResult>("run", {
      url,
      secret: SECRET,
      shop,
      connections: CONNECTIONS,
      warmupMs: sizes.warmupMs,
      durationMs: sizes.ingestMs,
      items,
    });
  } finally {
    load.kill();
  }
}

async function benchIngest(app: Child, appUrl: string, database: string, db: { plainUrl?: string; schema?: string }, sizes: Sizes) {
  const shop = "ingest.myshopify.com";
  await seedShop(app, { shop, phoneNumberId: "7001", wabaId: "7101", token: "token-ingest", messagesPerSecond: 80 }, TEMPLATES);
  const items = await seedCatalogue(app, shop, 1000);
  const appLoad = await runLoad(appUrl, shop, items, sizes);
  const stored = await app.call<Array<{ n: number }>>("query", { sql: `SELECT count(*)::int AS n FROM "WebhookReceipt" WHERE shop = $1`, params: [shop] });

  const baseline = forkChild("bench/baseline-server.ts");
  let baseLoad: LoadResult;
  try {
    const { url } = await baseline.call<{ url: string }>("start", { database, url: db.plainUrl, schema: db.schema, secret: SECRET });
    baseLoad = await runLoad(url, shop, items, sizes);
    await baseline.call("stop").catch(() => {});
  } finally {
    baseline.kill();
  }
  // The cart deliveries queued flows.cart_changed tasks; they belong to this stage, not the next.
  await app.call("query", { sql: `DELETE FROM "Task" WHERE shop = $1`, params: [shop] });
  return { app: appLoad, baseline: baseLoad, receipts: stored[0].n };
}

async function benchFanOut(app: Child, appUrl: string, sizes: Sizes) {
  const shop = "restock.myshopify.com";
  await seedShop(app, { shop, phoneNumberId: "7002", wabaId: "7102", token: "token-restock", messagesPerSecond: 80 }, TEMPLATES);
  const [item] = await seedCatalogue(app, shop, 1, 5000);
  await seedWaiting(app, shop, item, sizes.fanout);
  await app.call("startTasks");
  const t0 = performance.now();
  const response = await sendWebhook(appUrl, SECRET, {
    topic: "inventory_levels/update",
    shop,
    payload: inventoryLevelPayload({ inventoryItemId: item.inventoryItemId, locationId: 1, available: 25, updatedAt: new Date() }),
  });
  const webhookMs = performance.now() - t0;
  if (response.status !== 200) throw new Error(`restock webhook answered ${response.status}: ${await response.text()}`);
  let task: { status: string; lastError: string | null } | undefined;
  // When the task runner picked the restock up (seen by polling every 10 ms): before it is queue wait.
  let runningAt: number | undefined;
  for (;;) {
    const rows = await app.call<Array<{ status: string; lastError: string | null }>>("query", {
      sql: `SELECT status::text, "lastError" FROM "Task" WHERE shop = $1 AND kind = 'flows.variant_restocked'`,
      params: [shop],
    });
    task = rows[0];
    if (task?.status === "running") runningAt ??= performance.now();
    if (task && (task.status === "done" || task.status === "failed")) break;
    if (performance.now() - t0 > 120_000) throw new Error(`restock task not done after 120 s (${task?.status ?? "not enqueued"})`);
    await sleep(10);
  }
  const fanoutMs = performance.now() - t0;
  await app.call("stopTasks");
  if (task.status !== "done") throw new Error(`restock task failed: ${task.lastError}`);
  const [{ n: scheduled }] = await app.call<Array<{ n: number }>>("query", {
    sql: `SELECT count(*)::int AS n FROM "Notification" WHERE shop = $1 AND flow = 'back_in_stock' AND status IN ('scheduled', 'held_out')`,
    params: [shop],
  });

  // The baseline: the same rows, one plain INSERT … SELECT, into a table with three indexes.
  await app.call("exec", {
    sql: `CREATE TABLE bench_outbox (
            id text PRIMARY KEY, shop text NOT NULL, subscriber_id text NOT NULL, dedup_key text NOT NULL,
            status text NOT NULL, send_at timestamptz NOT NULL, params jsonb NOT NULL);
          CREATE UNIQUE INDEX bench_outbox_dedup ON bench_outbox (shop, dedup_key);
          CREATE INDEX bench_outbox_due ON bench_outbox (status, send_at);`,
  });
  const b0 = performance.now();
  const inserted = await app.call<Array<{ n: number }>>("query", {
    sql: `WITH ins AS (
            INSERT INTO bench_outbox (id, shop, subscriber_id, dedup_key, status, send_at, params)
            SELECT replace(gen_random_uuid()::text, '-', ''), r.shop, r."subscriberId", 'back_in_stock:' || r.id || ':bench',
                   'scheduled', now(), jsonb_build_object('body', jsonb_build_array('Linen shirt', 'Size'))
              FROM "BackInStockRequest" r JOIN "Subscriber" s ON s.id = r."subscriberId" AND s.shop = r.shop
             WHERE r.shop = $1 AND r."variantId" = $2
            RETURNING 1)
          SELECT count(*)::int AS n FROM ins`,
    params: [shop, String(item.variantId)],
  });
  const baselineMs = performance.now() - b0;
  // Out of the dispatcher's way: this stage measured scheduling, not sending.
  await app.call("query", { sql: `UPDATE "Notification" SET status = 'cancelled' WHERE shop = $1`, params: [shop] });
  const taskMs = runningAt === undefined ? NaN : fanoutMs - (runningAt - t0);
  return { fanoutMs, webhookMs, taskMs, scheduled, baselineMs, baselineRows: inserted[0].n };
}

async function benchDispatch(app: Child, fake: FakeWhatsApp, sizes: Sizes) {
  const shop = "dispatch.myshopify.com";
  const number = { phoneNumberId: "7003", wabaId: "7103", token: "token-dispatch" };
  await seedShop(app, { shop, ...number, messagesPerSecond: DISPATCH_CAP }, TEMPLATES);
  await seedSubscribers(app, shop, "d", sizes.dispatch, 3_000_000);
  await seedDue(app, shop, "d", sizes.dispatch);
  const mine = () => fake.accepted.filter((m) => m.phoneNumberId === number.phoneNumberId);
  const rssBefore = await app.call<number>("resetPeakRss");
  const startedAt = Date.now();
  await app.call("startDispatcher");
  for (;;) {
    if (mine().length >= sizes.dispatch) break;
    if (Date.now() - startedAt > sizes.dispatchLimitMs) break;
    await sleep(50);
  }
  const accepted = mine();
  const lastAt = accepted.at(-1)?.at.getTime() ?? Date.now();
  const finished = accepted.length >= sizes.dispatch;
  const elapsedMs = (finished ? lastAt : Date.now()) - startedAt;
  await app.call("stopDispatcher");
  const peakRss = await app.call<number>("peakRss");
  const peakHeap = await app.call<number>("peakHeap");
  const distinct = new Set(accepted.map((m) => m.callbackData)).size;
  return {
    sent: accepted.length,
    duplicates: accepted.length - distinct,
    finished,
    elapsedMs,
    rate: accepted.length / (elapsedMs / 1000),
    rssMb: peakRss / 1024 / 1024,
    rssBeforeMb: rssBefore / 1024 / 1024,
    heapMb: peakHeap / 1024 / 1024,
  };
}

async function benchDatabase(database: "postgresql" | "pglite", fake: FakeWhatsApp, root: string, baseUrl?: string) {
  const sizes = SIZES[database];
  const db = database === "postgresql" ? await freshSchema(baseUrl!) : undefined;
  const app = forkChild("bench/app-process.ts", {
    NODE_ENV: "production",
    SHOPIFY_API_KEY: "bench-api-key",
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1:0",
    ENCRYPTION_KEYS: "k1:" + Buffer.alloc(32, 7).toString("base64"),
    CONSENT_HASH_SALT: "bench-salt",
    LOG_LEVEL: "error",
    DISPATCHER: "off",
    WHATSAPP_API_ORIGIN: fake.origin,
    WHATSAPP_API_VERSION: "v23.0",
    DATABASE_URL: db?.appUrl,
    PGLITE_DIR: db ? undefined : "memory://",
  }, cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : []);
  try {
    const { url } = await app.call<{ url: string }>("start", { root });
    console.log(`[${database}] server up at ${url}; ingest ${sizes.ingestMs / 1000}s x2 at ${CONNECTIONS} connections`);
    const ingest = only.has("ingest") ? await benchIngest(app, url, database, { plainUrl: db?.plainUrl, schema: db?.schema }, sizes) : undefined;
    console.log(`[${database}] ingest done; fan-out of ${sizes.fanout}`);
    const fanout = only.has("fanout") ? await benchFanOut(app, url, sizes) : undefined;
    console.log(`[${database}] fan-out done; dispatch of ${sizes.dispatch}`);
    const dispatch = only.has("dispatch") ? await benchDispatch(app, fake, sizes) : undefined;
    await app.call("stop").catch(() => {});
    return { ingest, fanout, dispatch, sizes };
  } finally {
    // Give it a moment to exit by itself (a CPU profile is written on exit).
    await Promise.race([new Promise((resolve) => app.process.once("exit", resolve)), sleep(5_000)]);
    app.kill();
    await db?.drop();
  }
}

type Measured = Awaited<ReturnType<typeof benchDatabase>>;

function fields(m: Measured, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { ingest, fanout, dispatch, sizes } = m;
  if (ingest) {
    Object.assign(out, {
      ingest_rps: round(ingest.app.rps),
      ingest_p99_ms: round(ingest.app.p99_ms),
      ingest_errors: ingest.app.failed,
      baseline_rps: round(ingest.baseline.rps),
      baseline_p99_ms: round(ingest.baseline.p99_ms),
      ingest_ratio: round(ingest.app.rps / ingest.baseline.rps, 3),
    });
  }
  if (fanout) {
    Object.assign(out, {
      fanout_rows: fanout.scheduled,
      fanout_ms: round(fanout.fanoutMs, 0),
      fanout_webhook_ms: round(fanout.webhookMs, 0),
      fanout_task_ms: round(fanout.taskMs, 0),
      fanout_baseline_ms: round(fanout.baselineMs, 0),
      fanout_ratio: round(fanout.baselineMs / fanout.fanoutMs, 3),
    });
  }
  if (dispatch) {
    Object.assign(out, {
      dispatch_messages: sizes.dispatch,
      dispatch_sent: dispatch.sent,
      dispatch_duplicates: dispatch.duplicates,
      dispatch_rate: round(dispatch.rate),
      dispatch_ratio: round(dispatch.rate / DISPATCH_CAP, 3),
      rss_mb: round(dispatch.rssMb),
      rss_before_dispatch_mb: round(dispatch.rssBeforeMb),
      heap_peak_mb: round(dispatch.heapMb),
    });
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [`${prefix}${k}`, v]));
}

function rows(m: Measured, label: string): Row[] {
  const { ingest, fanout, dispatch, sizes } = m;
  const out: Row[] = [];
  if (ingest) {
    const ratio = ingest.app.rps / ingest.baseline.rps;
    out.push(
      { db: label, measure: "ingest rps (app / baseline)", value: `${round(ingest.app.rps)} / ${round(ingest.baseline.rps)}`, target: "ratio >= 0.5", result: `${round(ratio, 3)}`, met: ratio >= 0.5 },
      { db: label, measure: "ingest p99 ms (app / baseline)", value: `${round(ingest.app.p99_ms)} / ${round(ingest.baseline.p99_ms)}`, target: "< 100", result: `${round(ingest.app.p99_ms)}`, met: ingest.app.p99_ms < 100 },
      { db: label, measure: "ingest non-200 answers", value: `${ingest.app.failed} of ${ingest.app.requests}`, target: "0", result: JSON.stringify(ingest.app.statuses), met: ingest.app.failed === 0 },
    );
  }
  if (fanout) {
    const fratio = fanout.baselineMs / fanout.fanoutMs;
    out.push(
      { db: label, measure: `fan-out ms (${fanout.scheduled} rows)`, value: `${round(fanout.fanoutMs, 0)}`, target: "< 2000", result: `webhook ${round(fanout.webhookMs, 0)} ms, task ${round(fanout.taskMs, 0)} ms`, met: fanout.fanoutMs < 2000 && fanout.scheduled === sizes.fanout },
      { db: label, measure: "fan-out ratio (INSERT…SELECT / app)", value: `${round(fanout.baselineMs, 0)} / ${round(fanout.fanoutMs, 0)}`, target: ">= 0.5", result: `${round(fratio, 3)}`, met: fratio >= 0.5 },
    );
  }
  if (dispatch) {
    const dratio = dispatch.rate / DISPATCH_CAP;
    out.push(
      { db: label, measure: `dispatch rate (${dispatch.sent}/${sizes.dispatch} sent)`, value: `${round(dispatch.rate)} msg/s in ${round(dispatch.elapsedMs / 1000)} s`, target: ">= 950 (0.95 x 1000)", result: `${round(dratio, 3)}`, met: dratio >= 0.95 && dispatch.finished },
      { db: label, measure: "dispatch peak RSS MB (server)", value: `${round(dispatch.rssMb)} (${round(dispatch.rssBeforeMb)} before, JS heap+buffers peak ${round(dispatch.heapMb)})`, target: "< 300", result: `${round(dispatch.rssMb)}`, met: dispatch.rssMb < 300 },
    );
  }
  return out;
}

async function main() {
  const started = Date.now();
  const snapshot = snapshotBuild("bench");
  const buildS = (Date.now() - started) / 1000;
  console.log(`${snapshot.built ? "built app/" : "build is current"}; copied in ${round(buildS)} s`);
  const fake = await startFakeWhatsApp({
    numbers: [
      { phoneNumberId: "7001", wabaId: "7101", accessToken: "token-ingest" },
      { phoneNumberId: "7002", wabaId: "7102", accessToken: "token-restock" },
      { phoneNumberId: "7003", wabaId: "7103", accessToken: "token-dispatch" },
    ],
    templates: { "7101": TEMPLATES, "7102": TEMPLATES, "7103": TEMPLATES },
  });
  const out: Record<string, unknown> = { quick, connections: CONNECTIONS, dispatch_cap_mps: DISPATCH_CAP };
  const table: Row[] = [];
  try {
    const pgUrl = await reachablePostgres();
    if (!databases.has("postgresql")) {
      out.postgresql = "not run (--db)";
    } else if (pgUrl) {
      const m = await benchDatabase("postgresql", fake, snapshot.root, pgUrl);
      Object.assign(out, fields(m, ""));
      table.push(...rows(m, "postgresql"));
    } else {
      console.log("PostgreSQL unreachable (DATABASE_URL or postgresql://postgres@127.0.0.1:5432/test): PostgreSQL figures skipped");
      out.postgresql = "unreachable";
    }
    fake.accepted.length = 0;
    if (databases.has("pglite")) {
      const m = await benchDatabase("pglite", fake, snapshot.root);
      Object.assign(out, fields(m, "pglite_"));
      table.push(...rows(m, "pglite"));
    }
  } finally {
    await fake.close();
    snapshot.remove();
  }
  out.build_s = round(buildS);
  out.total_s = round((Date.now() - started) / 1000);
  printTable(table);
  console.log(`BENCH ${JSON.stringify(out)}`);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
