/**
 * The Rebound server in a process of its own, driven over IPC by bench/run.ts and the chaos
 * suite. It owns the database connection, which matters for PGlite: the embedded database lives
 * inside one process, so seeding and inspection must happen here too.
 *
 * The app, the server and its routes load through one module graph (tests/support/app-graph.ts),
 * so the commands below act on the very database and runners the server uses.
 *
 * Messages in: { id, cmd, args }; out: { id, ok, result } or { id, ok: false, error }.
 */
import { serveCommands } from "./child";
import { appGraph, type AppGraph } from "../tests/support/app-graph";
import type { Dispatcher } from "../app/outbox/dispatcher.server";
import type { RunningServer } from "../server/app-server";

type Stoppable = { stop(): Promise<void> };

let running: RunningServer | undefined;
let tasks: Stoppable | undefined;
let dispatcher: Dispatcher | undefined;
let peakRss = 0;
let peakHeap = 0;
const rssTimer = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed + m.external + m.arrayBuffers);
}, 100);
rssTimer.unref();

let graph: Promise<AppGraph> | undefined;
async function load<T>(file: string): Promise<T> {
  graph ??= appGraph();
  return (await graph).load<T>(file);
}
const db = () => load<typeof import("../app/db.server")>("/app/db.server.ts");

/** The harness's own statements (seeding, counting, cleaning up) are not held to a request's timeout. */
async function harnessSql<T>(fn: (raw: import("../app/db/adapter.server").RawSql) => Promise<T>): Promise<T> {
  return (await db()).withUntimedSession(fn);
}

const commands: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = {
  async start(args) {
    Object.assign(process.env, args.env as Record<string, string>);
    const { startServer } = await load<typeof import("../server/app-server")>("/server/app-server.ts");
    const { sourceServerBuild } = await load<typeof import("../tests/support/source-build")>("/tests/support/source-build.ts");
    const root = (args.root as string | undefined) ?? process.cwd();
    running = await startServer({ build: sourceServerBuild(root), port: 0, host: "127.0.0.1", background: false, root });
    const { databaseKind } = await db();
    return { url: running.url, database: databaseKind(), pid: process.pid };
  },
  async query(args) {
    return harnessSql((raw) => raw.query(args.sql as string, (args.params as unknown[]) ?? []));
  },
  async exec(args) {
    await harnessSql((raw) => raw.exec(args.sql as string));
    return null;
  },
  async encrypt(args) {
    const { encryptSecret } = await load<typeof import("../app/security/encryption.server")>("/app/security/encryption.server.ts");
    return encryptSecret(args.value as string);
  },
  /** Deferred webhook work only (the fan-out runs as a task). */
  async startTasks() {
    const { createAppTaskRegistry } = await load<typeof import("../app/background.server")>("/app/background.server.ts");
    const { startTaskRunner } = await load<typeof import("../app/tasks/runner.server")>("/app/tasks/runner.server.ts");
    tasks ??= startTaskRunner(createAppTaskRegistry());
    return null;
  },
  async stopTasks() {
    await tasks?.stop();
    tasks = undefined;
    return null;
  },
  /** The outbox dispatcher with the production defaults from the environment. */
  async startDispatcher() {
    const { startDispatcher } = await load<typeof import("../app/engine.server")>("/app/engine.server.ts");
    dispatcher ??= startDispatcher();
    return null;
  },
  async stopDispatcher() {
    await dispatcher?.stop();
    dispatcher = undefined;
    return null;
  },
  async resetPeakRss() {
    peakRss = process.memoryUsage().rss;
    peakHeap = 0;
    return peakRss;
  },
  /** Peak JavaScript heap in use plus off-heap buffers, to tell live data from RSS the heap has not returned */
  async peakHeap() {
    return peakHeap;
  },
  async peakRss() {
    return Math.max(peakRss, process.memoryUsage().rss);
  },
  async stop() {
    await tasks?.stop();
    await dispatcher?.stop();
    await running?.close();
    await (await db()).closeDatabase();
    setTimeout(() => process.exit(0), 10);
    return null;
  },
};

serveCommands(commands);
