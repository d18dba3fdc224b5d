import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { isolatedDatabaseEnv } from "../../support/server";
import { startedWorkerPid } from "../../support/worker-output";
import { appTestEnv, seedMessages, seedShop, TEMPLATES } from "./fixtures";
import { closeDatabase } from "../../../app/db.server";
import * as db from "../../../app/db.server";

/**
 * kill -9 of a worker process in the middle of a batch, then a restart: nothing lost, nothing
 * sent twice. Needs PostgreSQL: PGlite lives inside one process and cannot be shared with a child.
 */
const onPostgres = Boolean(process.env.DATABASE_URL);
if (!onPostgres) console.log("worker-crash: skipped on PGlite (in-process database; a worker child process cannot share it). Set DATABASE_URL to run it.");

const seed = { shop: "crash.myshopify.com", phoneNumberId: "5001", wabaId: "6001", token: "token-crash" };
const LEASE_MS = 3_000;
let fake: FakeWhatsApp;
let dropDatabase: () => Promise<void> = async () => {};
let prisma: typeof import("../../../app/db.server").default;
const children: ChildProcess[] = [];

/** The worker's own pid (it logs it), under npx and tsx. */
const workerPids = new WeakMap<ChildProcess, number>();

function startWorker(): Promise<ChildProcess> {
  const child = spawn("npx", ["--no-install", "tsx", "server/worker.ts"], {
    env: {
      ...process.env,
      WHATSAPP_API_ORIGIN: fake.origin,
      WHATSAPP_API_VERSION: "v23.0",
      DISPATCHER_LEASE_MS: String(LEASE_MS),
      DISPATCHER_BATCH_SIZE: "25",
      // The "worker started" line, which names its pid, is logged at info.
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: npx and tsx start the worker as a grandchild, and a signal sent to
    // the group reaches the process that actually does the work.
    detached: true,
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const pid = startedWorkerPid(output);
      if (pid !== undefined) {
        workerPids.set(child, pid);
        resolve(child);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`worker exited early (${code}): ${output}`)));
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

beforeAll(async () => {
  if (!onPostgres) return;
  appTestEnv();
  dropDatabase = await isolatedDatabaseEnv();
  fake = await startFakeWhatsApp({
    numbers: [{ phoneNumberId: seed.phoneNumberId, wabaId: seed.wabaId, accessToken: seed.token }],
    templates: { [seed.wabaId]: TEMPLATES },
  });
  prisma = db.default;
  await db.databaseReady();
  await seedShop(prisma, seed);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) signalGroup(child, "SIGKILL");
  await fake?.close();
  if (onPostgres) {
    await closeDatabase();
  }
  await dropDatabase();
});

describe.skipIf(!onPostgres)("worker crash", () => {
  it("loses nothing and sends nothing twice when a worker is killed mid-batch and another takes over", async () => {
    const ids = await seedMessages(prisma, seed.shop, 150);
    const first = await startWorker();
    await until("the first sends", () => fake.accepted.length >= 40);
    // Freeze WhatsApp with requests in flight, let answered sends be recorded, then kill -9.
    fake.hold();
    await until("requests in flight", () => fake.heldCount > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const inFlight = await prisma.notification.count({ where: { shop: seed.shop, status: "sending" } });
    expect(inFlight).toBeGreaterThan(0);
    const exited = new Promise((resolve) => first.once("exit", resolve));
    signalGroup(first, "SIGKILL");
    await exited;
    await new Promise((resolve) => setTimeout(resolve, 200));
    fake.releaseHeld();

    const second = await startWorker();
    await until(
      "every message to be sent",
      async () => (await prisma.notification.count({ where: { shop: seed.shop, status: "sent" } })) === ids.length,
      90_000,
    );
    const counts = fake.acceptedCounts();
    const lost = ids.filter((id) => !counts.has(id));
    const duplicates = ids.filter((id) => (counts.get(id) ?? 0) > 1);
    console.log(`worker-crash: ${inFlight} in flight at kill, lost ${lost.length}, duplicates ${duplicates.length}`);
    expect(lost).toEqual([]);
    expect(duplicates).toEqual([]);
    const abandoned = fake.attempts.filter((a) => a.outcome === "abandoned").length;
    expect(abandoned).toBeGreaterThan(0);

    // SIGTERM to the worker: graceful stop, and the launchers pass its exit code 0 on.
    const code = new Promise((resolve) => second.once("exit", (c) => resolve(c)));
    process.kill(workerPids.get(second)!, "SIGTERM");
    expect(await code).toBe(0);
    expect(await prisma.notification.count({ where: { shop: seed.shop, status: "sending" } })).toBe(0);
  }, 180_000);
});
