import { Prisma } from "@prisma/client";
import prisma from "../db.server";
import { applyRetention } from "../privacy/retention.server";
import { systemClock, type Clock } from "../shared/clock";
import { errorFields, log } from "../shared/log.server";
import { purgeFinishedTasks } from "../tasks/queue.server";

/**
 * Keeps the tables that grow with traffic bounded. Every webhook delivery leaves a receipt and
 * most leave a finished task; at a few hundred deliveries a second that is millions of rows a
 * week that no query needs once the senders have stopped retrying. What is kept:
 * - WebhookReceipt: 30 days. Shopify retries a delivery for 48 hours and Meta for up to 7 days;
 *   a receipt only has to outlive the retries of its delivery.
 * - Task: finished (done or failed) ones for 30 days, so an operator can still see why a recent
 *   one failed. Queued and running tasks are never touched, however old.
 * - RateCounter: windows older than a day (no limit we set is longer).
 * - FailedWebhook: 14 days. The bodies of deliveries kept for replay hold shoppers' personal
 *   data; two weeks is long enough to notice, fix and replay, and no longer.
 * Deletes go in bounded batches that skip rows another sweeper holds, so any number of
 * processes can sweep at once and none holds locks for long.
 */
export const RETENTION = {
  webhookReceiptsMs: 30 * 86_400_000,
  finishedTasksMs: 30 * 86_400_000,
  rateWindowsMs: 86_400_000,
  failedWebhooksMs: 14 * 86_400_000,
};

const BATCH = 5_000;

/** Deletes up to `limit` rows of a table matching `old` (given the cutoff); resolves to how many. */
const purgeWhere =
  (table: string, old: (cutoff: Date) => Prisma.Sql) =>
  (cutoff: Date, limit: number): Promise<number> =>
    prisma.$executeRaw`
      DELETE FROM ${Prisma.raw(`"${table}"`)} WHERE ctid IN (
        SELECT ctid FROM ${Prisma.raw(`"${table}"`)} WHERE ${old(cutoff)} LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;

/** One table's rule; the task queue purges its own table (app/tasks/queue.server.ts). */
const SWEEPS: Array<{ table: string; keepMs: number; purge: (cutoff: Date, limit: number) => Promise<number> }> = [
  { table: "WebhookReceipt", keepMs: RETENTION.webhookReceiptsMs, purge: purgeWhere("WebhookReceipt", (cutoff) => Prisma.sql`"receivedAt" < ${cutoff}`) },
  { table: "Task", keepMs: RETENTION.finishedTasksMs, purge: purgeFinishedTasks },
  { table: "RateCounter", keepMs: RETENTION.rateWindowsMs, purge: purgeWhere("RateCounter", (cutoff) => Prisma.sql`"windowStart" < ${cutoff}`) },
  { table: "FailedWebhook", keepMs: RETENTION.failedWebhooksMs, purge: purgeWhere("FailedWebhook", (cutoff) => Prisma.sql`"receivedAt" < ${cutoff}`) },
];

export type SweepCounts = Record<string, number>;

/**
 * Deletes what is past its retention, batch by batch, until a table has no more or the time
 * budget is spent (the rest waits for the next sweep). Resolves to the rows deleted per table.
 */
export async function sweep(now: Date, budgetMs = 2_000): Promise<SweepCounts> {
  const started = Date.now();
  const counts: SweepCounts = {};
  for (const { table, keepMs, purge } of SWEEPS) {
    counts[table] = 0;
    const cutoff = new Date(now.getTime() - keepMs);
    for (;;) {
      const deleted = await purge(cutoff, BATCH);
      counts[table] += deleted;
      if (deleted < BATCH || Date.now() - started > budgetMs) break;
    }
  }
  return counts;
}

export interface Housekeeping {
  stop(): Promise<void>;
}

/** Sweeps and applies shops' retention shortly after start, then every `intervalMs` (10 minutes by default). */
export function startHousekeeping(options: { clock?: Clock; intervalMs?: number; firstAfterMs?: number } = {}): Housekeeping {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? 10 * 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      // The shared tables first, then each shop's own retention (app/privacy/retention.server.ts).
      running = sweep(clock.now())
        .then(() => applyRetention(clock.now()))
        .catch((error: unknown) => log.error("housekeeping sweep failed", { error: errorFields(error) }))
        .finally(() => {
          running = undefined;
          if (!stopped) schedule(intervalMs);
        });
    }, ms);
    timer.unref();
  };
  // A little later than start-up, and not at the same moment in every process.
  schedule(options.firstAfterMs ?? 30_000 + Math.round(Math.random() * 30_000));
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
