import { randomUUID } from "node:crypto";
import { systemClock, type Clock } from "../shared/clock";
import { withLogContext } from "../shared/log-context.server";
import { errorFields, log } from "../shared/log.server";
import { keepLeases } from "./lease.server";
import { claimTasks, completeTask, failTask } from "./queue.server";
import type { TaskRegistry } from "./registry.server";

export class UnknownTaskKind extends Error {
  constructor(public readonly kind: string) {
    super(`no handler for task kind ${kind}`);
    this.name = "UnknownTaskKind";
  }
}

export interface RunnerOptions {
  clock?: Clock;
  batchSize?: number;
  leaseMs?: number;
  idleMs?: number;
  /** A wake-up polls after this long, not at once: a burst of webhooks costs a poll per gap, not one each. */
  wakeGapMs?: number;
}

/** This process's running task runners, nudged when a commit may have enqueued work. */
const runners = new Set<() => void>();

/**
 * Says that a transaction which may have enqueued tasks has committed: this process's runners
 * poll now instead of at the end of their idle wait, so a restock's fan-out starts within
 * milliseconds of its webhook. Runners in other processes find the task on their next poll.
 */
export function wakeTaskRunners() {
  for (const nudge of runners) nudge();
}

/**
 * Runs every due task once; returns how many it claimed. Used by the loop and by tests. The
 * batch's leases are renewed while it runs (./lease.server.ts), so a task that takes longer
 * than a lease is not run a second time by another runner.
 */
export async function runDueTasks(owner: string, registry: TaskRegistry, options: RunnerOptions = {}): Promise<number> {
  const clock = options.clock ?? systemClock;
  const leaseMs = options.leaseMs ?? 60_000;
  const tasks = await claimTasks(owner, options.batchSize ?? 20, leaseMs, clock.now());
  if (tasks.length === 0) return 0;
  const leases = keepLeases(
    tasks.map((t) => t.id),
    owner,
    leaseMs,
    clock,
  );
  try {
    for (const task of tasks) {
      // Waited behind the batch's earlier tasks: if its lease could not be kept, someone else may run it.
      if (!leases.held(task.id)) continue;
      // Every kind the app enqueues has a handler (checked at start-up); an unknown one is a row
      // written by another version of the app, failed with the queue's backoff.
      const handler = registry.handler(task.kind);
      try {
        if (!handler) throw new UnknownTaskKind(task.kind);
        // Every line the handler logs, down to the database layer, names the task it ran for.
        await withLogContext({ task: task.id, kind: task.kind, shop: task.shop }, () =>
          handler.run(task, clock, { signal: leases.signal(task.id) }),
        );
        leases.release(task.id);
        if (!(await completeTask(task.id, owner))) log.warn("task finished after its lease was lost", { task: task.id, kind: task.kind });
      } catch (error) {
        const lost = !leases.held(task.id);
        leases.release(task.id);
        if (lost) {
          log.warn("task stopped: lease lost", { task: task.id, kind: task.kind, error });
          continue;
        }
        log.error("task failed", { task: task.id, kind: task.kind, error: errorFields(error) });
        await failTask(task, owner, error, clock.now(), handler?.maxAttempts);
      }
    }
  } finally {
    leases.stop();
  }
  return tasks.length;
}

/** Polls for due tasks until stopped, running each with its handler in `registry`; a full batch polls again at once. */
export function startTaskRunner(registry: TaskRegistry, options: RunnerOptions = {}) {
  const owner = `tasks-${process.pid}-${randomUUID().slice(0, 8)}`;
  let stopped = false;
  let wake: (() => void) | undefined;
  // Set by a wake-up during a poll: that poll may have started before the commit it announces.
  let nudged = false;
  let wakeSoon: (() => void) | undefined;
  const nudge = () => {
    nudged = true;
    wakeSoon?.();
  };
  runners.add(nudge);
  const done = (async () => {
    while (!stopped) {
      nudged = false;
      let ran = 0;
      try {
        ran = await runDueTasks(owner, registry, options);
      } catch (error) {
        log.error("task runner poll failed", { error: errorFields(error) });
      }
      if (ran === 0 && !stopped) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          const idle = setTimeout(resolve, options.idleMs ?? 500);
          idle.unref();
          wakeSoon = () => {
            wakeSoon = undefined;
            clearTimeout(idle);
            setTimeout(resolve, options.wakeGapMs ?? 20).unref();
          };
          if (nudged) wakeSoon();
        });
        wakeSoon = undefined;
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      runners.delete(nudge);
      wake?.();
      await done;
    },
  };
}
