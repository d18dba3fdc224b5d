import { randomUUID } from "node:crypto";
import { Prisma, type Task } from "@prisma/client";
import prisma from "../db.server";
import { systemClock } from "../shared/clock";
import { errorSummary } from "../shared/log.server";
import type { TaskKind } from "./kinds";

/**
 * The durable queue for slow work that must not hold up a webhook's answer: Admin API lookups,
 * fan-outs. Rows are claimed with FOR UPDATE SKIP LOCKED under a lease, so any number of
 * processes share the work and a crashed one's rows come back when its lease runs out.
 */
export type TaskClient = Prisma.TransactionClient | typeof prisma;

export interface NewTask {
  shop: string;
  kind: TaskKind;
  payload?: Prisma.InputJsonValue;
  /** Same key, same shop: enqueued once. */
  dedupKey?: string;
  runAt?: Date;
}

export async function enqueueTask(input: NewTask, db: TaskClient = prisma): Promise<void> {
  // "Now" is the process clock's, not the database's: the sandbox runs on simulated time.
  const runAt = input.runAt ?? systemClock.now();
  const payload = input.payload ?? {};
  if (input.dedupKey) {
    // Plain SQL rather than the ORM's upsert: flows' domain events take this path on every
    // webhook, and the ORM compiles its query on every call.
    const written = new Date().toISOString();
    await db.$executeRaw`
      INSERT INTO "Task" (id, shop, kind, payload, "dedupKey", "runAt", "createdAt", "updatedAt")
      VALUES (${randomUUID()}, ${input.shop}, ${input.kind}, CAST(${JSON.stringify(payload)} AS jsonb), ${input.dedupKey},
              CAST(${runAt.toISOString()} AS timestamp), CAST(${written} AS timestamp), CAST(${written} AS timestamp))
      ON CONFLICT (shop, "dedupKey") DO NOTHING`;
    return;
  }
  await db.task.create({ data: { shop: input.shop, kind: input.kind, payload, runAt } });
}

/**
 * Ends a shop's queued tasks of a kind whose dedup key starts with `dedupKeyPrefix` without
 * running them (done, "cancelled"): a campaign cancelled before its launch. Running ones finish.
 */
export function cancelQueuedTasks(shop: string, kind: TaskKind, dedupKeyPrefix: string, db: TaskClient = prisma) {
  return db.task.updateMany({
    where: { shop, kind, status: "queued", dedupKey: { startsWith: dedupKeyPrefix } },
    data: { status: "done", lastError: "cancelled" },
  });
}

/**
 * Deletes up to `limit` finished (done or failed) tasks last changed before `cutoff`, skipping
 * rows another sweeper holds; resolves to how many. Queued and running tasks are never touched.
 */
export function purgeFinishedTasks(cutoff: Date, limit: number): Promise<number> {
  return prisma.$executeRaw`
    DELETE FROM "Task" WHERE ctid IN (
      SELECT ctid FROM "Task" WHERE status IN ('done', 'failed') AND "updatedAt" < ${cutoff}
       LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
}

/**
 * Enqueues a task under its dedup key, or puts a finished one (done or failed) back in the queue
 * from its first attempt: for work that may be needed again, like finishing an install after a
 * reinstall. A queued or running task is left as it is.
 */
export async function enqueueOrRestartTask(input: NewTask & { dedupKey: string }, db: TaskClient = prisma): Promise<void> {
  const runAt = (input.runAt ?? systemClock.now()).toISOString();
  const payload = JSON.stringify(input.payload ?? {});
  await db.$executeRaw`
    INSERT INTO "Task" (id, shop, kind, payload, "dedupKey", status, "runAt", attempts, "createdAt", "updatedAt")
    VALUES (${randomUUID()}, ${input.shop}, ${input.kind}, ${payload}::jsonb, ${input.dedupKey}, 'queued',
            ${runAt}::timestamp, 0, ${runAt}::timestamp, ${runAt}::timestamp)
    ON CONFLICT (shop, "dedupKey") DO UPDATE
       SET status = 'queued', "runAt" = EXCLUDED."runAt", attempts = 0, "lastError" = NULL,
           payload = EXCLUDED.payload, "updatedAt" = EXCLUDED."updatedAt"
     WHERE "Task".status IN ('done', 'failed')`;
}

/** A shop's task under a dedup key, as the queue holds it (for showing progress). */
/** Whether a task of this kind is queued or running for the shop (a progress banner's question). */
export async function hasOpenTask(shop: string, kind: TaskKind, db: TaskClient = prisma): Promise<boolean> {
  const task = await db.task.findFirst({ where: { shop, kind, status: { in: ["queued", "running"] } }, select: { id: true } });
  return task !== null;
}

export function findTask(shop: string, dedupKey: string, db: TaskClient = prisma) {
  return db.task.findUnique({ where: { shop_dedupKey: { shop, dedupKey } } });
}

export async function claimTasks(owner: string, limit: number, leaseMs: number, now: Date): Promise<Task[]> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  return prisma.$queryRaw<Task[]>`
    UPDATE "Task" SET status = 'running', "leaseOwner" = ${owner}, "leaseUntil" = ${leaseUntil},
           attempts = attempts + 1, "updatedAt" = ${now}
     WHERE id IN (
       SELECT id FROM "Task"
        WHERE (status = 'queued' AND "runAt" <= ${now})
           OR (status = 'running' AND "leaseUntil" < ${now})
        ORDER BY "runAt"
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
    RETURNING *`;
}

/** Resolves to false when the task's lease had passed to another runner (nothing is written). */
export async function completeTask(id: string, owner: string): Promise<boolean> {
  const { count } = await prisma.task.updateMany({
    where: { id, leaseOwner: owner, status: "running" },
    data: { status: "done", leaseOwner: null, leaseUntil: null },
  });
  return count > 0;
}

/**
 * Pushes the leases of tasks this runner still holds to `until`. Resolves to the ids it renewed;
 * a task missing from them was taken by another runner (its lease had run out) or finished.
 */
export async function renewTaskLeases(ids: string[], owner: string, until: Date): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    UPDATE "Task" SET "leaseUntil" = ${until}
     WHERE id = ANY(${ids}::text[]) AND "leaseOwner" = ${owner} AND status = 'running'
    RETURNING id`;
  return new Set(rows.map((r) => r.id));
}

/**
 * Retries with exponential backoff (capped at an hour); gives up after maxAttempts, or at once
 * for an error that says it would only fail again (`retryable: false`).
 */
export async function failTask(task: Task, owner: string, error: unknown, now: Date, maxAttempts = 8) {
  // The error's kind and code, not its message: a database error quotes the values it refused.
  const message = errorSummary(error);
  const final = typeof error === "object" && error !== null && (error as { retryable?: unknown }).retryable === false;
  const giveUp = final || task.attempts >= maxAttempts;
  const delay = Math.min(3_600_000, 1000 * 2 ** task.attempts);
  await prisma.task.updateMany({
    where: { id: task.id, leaseOwner: owner, status: "running" },
    data: {
      status: giveUp ? "failed" : "queued",
      runAt: new Date(now.getTime() + delay),
      lastError: message.slice(0, 500),
      leaseOwner: null,
      leaseUntil: null,
    },
  });
}
