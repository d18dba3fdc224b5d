import { spawn, type ChildProcess } from "node:child_process";
import { seedDue, seedSubscribers } from "../../bench/seed";
import { startedWorkerPid } from "../support/worker-output";
import { LEASE_MS, sleep, until, type Harness } from "./harness";

/**
 * kill -9 of a dispatcher worker (npx tsx server/worker.ts) three times during one run, each time
 * started again, each time while WhatsApp has accepted sends whose answers have not reached it;
 * then every message is counted at the fake WhatsApp by its callback data (the notification id). A duplicate can only come from the documented window (docs/decisions/
 * 004-outbox-delivery.md): WhatsApp accepted, the process died before recording it, and the row
 * came back after its lease. The fake reports every accepted message back as Meta does (sent,
 * delivered, read), and a status for a row still `sending` closes that window, so it takes a
 * status that reaches the app later than the lease (4 s here) to make a duplicate.
 */
export interface WorkerKillResult {
  messages: number;
  kills: number;
  lost: number;
  duplicates: number;
  in_flight_at_kills: number[];
  /** Of those, sends WhatsApp had accepted by the time the worker was gone (the duplicate window) */
  accepted_unrecorded_at_kills: number[];
  /** Rows WhatsApp accepted whose send no worker recorded (it died first): closed by their status */
  unrecorded_sends: number;
  /** Time from acceptance to the app's 200 for the `sent` status (the lease is LEASE_MS) */
  sent_status_ms: { p50: number; p99: number; max: number };
  status_deliveries_not_200: number;
  seconds: number;
}

const shop = { shop: "crash.myshopify.com", phoneNumberId: "5101", wabaId: "6101", token: "token-crash", messagesPerSecond: 1000 };

function startWorker(h: Harness, name: string): Promise<ChildProcess> {
  const child = spawn("npx", ["--no-install", "tsx", "server/worker.ts"], {
    // LOG_LEVEL info: the "worker started" line is logged at info.
    env: { ...process.env, ...h.baseEnv, DATABASE_URL: h.databaseUrl(name), DISPATCHER_BATCH_SIZE: "50", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: npx and tsx start the worker as a grandchild; the group signal
    // reaches the process doing the work.
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (startedWorkerPid(output) !== undefined) resolve(child);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`worker exited early (${code}): ${output.slice(-2000)}`)));
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

export async function workerKill(h: Harness, messages: number): Promise<WorkerKillResult> {
  const started = Date.now();
  await h.addShop(shop);
  await seedSubscribers(h.app, shop.shop, "k", messages, 5_000_000);
  await seedDue(h.app, shop.shop, "k", messages);
  const ids = Array.from({ length: messages }, (_, i) => `k-${i + 1}-msg`);
  const accepted = () => h.fake.accepted.filter((m) => m.phoneNumberId === shop.phoneNumberId).length;
  const inFlight: number[] = [];
  const unrecordedAtKills: number[] = [];
  const counted = new Set<string>();
  const firstDelivery = h.fake.webhookDeliveries.length;
  const children: ChildProcess[] = [];
  try {
    let worker = await startWorker(h, "chaos-worker-0");
    children.push(worker);
    for (let kill = 1; kill <= 3; kill++) {
      await until(`${kill}/4 of the messages`, () => accepted() >= (messages * kill) / 4, 240_000);
      // The kill lands in the window itself: WhatsApp has accepted sends whose answers have not
      // reached the worker yet, so it dies before it can record them.
      h.fake.holdAnswers();
      await until("sends accepted and not yet answered", () => h.fake.heldAnswerCount > 0, 30_000);
      await sleep(100);
      const [{ n }] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "Notification" WHERE shop = $1 AND status = 'sending'`, [shop.shop]);
      inFlight.push(n);
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      killGroup(worker, "SIGKILL");
      await exited;
      h.fake.releaseAnswers();
      // Sends WhatsApp accepted that the dead worker never recorded: still `sending`, or already
      // moved on by their status (no attempt counted).
      const [{ ids: open }] = await h.sql<{ ids: string[] }>(
        `SELECT coalesce(array_agg(id), '{}') AS ids FROM "Notification"
          WHERE shop = $1 AND attempts = 0 AND (status = 'sending' OR "waMessageId" IS NOT NULL)`,
        [shop.shop],
      );
      const acceptedIds = new Set(h.fake.accepted.filter((m) => m.phoneNumberId === shop.phoneNumberId).map((m) => m.callbackData));
      const hit = open.filter((id) => acceptedIds.has(id) && !counted.has(id));
      for (const id of hit) counted.add(id);
      unrecordedAtKills.push(hit.length);
      worker = await startWorker(h, `chaos-worker-${kill}`);
      children.push(worker);
    }
    await until(
      "every message to be sent",
      async () => {
        const [{ open }] = await h.sql<{ open: number }>(
          `SELECT count(*)::int AS open FROM "Notification" WHERE shop = $1 AND status IN ('scheduled', 'sending')`,
          [shop.shop],
        );
        return open === 0;
      },
      240_000 + LEASE_MS,
    );
    // Requests the killed workers had in flight may still be answered; let them land.
    await sleep(500);
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    killGroup(worker, "SIGTERM");
    await exited;
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) killGroup(child, "SIGKILL");
  }
  const counts = h.fake.acceptedCounts();
  // A send is recorded with attempts + 1; a row that left `sending` with none had only its status.
  const [{ unrecorded }] = await h.sql<{ unrecorded: number }>(
    `SELECT count(*)::int AS unrecorded FROM "Notification" WHERE shop = $1 AND attempts = 0 AND "waMessageId" IS NOT NULL`,
    [shop.shop],
  );
  const deliveries = h.fake.webhookDeliveries.slice(firstDelivery).filter((d) => d.statusKind);
  const sentMs = deliveries.filter((d) => d.statusKind === "sent").map((d) => d.msAfterAccepted ?? 0).sort((a, b) => a - b);
  const at = (q: number) => sentMs[Math.min(sentMs.length - 1, Math.floor(sentMs.length * q))] ?? 0;
  return {
    messages,
    kills: 3,
    lost: ids.filter((id) => !counts.has(id)).length,
    duplicates: ids.filter((id) => (counts.get(id) ?? 0) > 1).length,
    in_flight_at_kills: inFlight,
    accepted_unrecorded_at_kills: unrecordedAtKills,
    unrecorded_sends: unrecorded,
    sent_status_ms: { p50: at(0.5), p99: at(0.99), max: sentMs.at(-1) ?? 0 },
    status_deliveries_not_200: deliveries.filter((d) => d.status !== 200).length,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}
