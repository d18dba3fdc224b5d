import { randomUUID } from "node:crypto";
import type { Task } from "@prisma/client";
import { systemClock, type Clock } from "../shared/clock";
import { claimTasks, completeTask, failTask } from "./queue.server";

export type TaskHandler = (task: Task, clock: Clock) => Promise<void>;

const handlers = new Map<string, { run: TaskHandler; maxAttempts?: number }>();

/**
 * Each module that defers work registers what to do with its task kind; `maxAttempts` overrides
 * the queue's default for work that must keep trying (backoff is capped at an hour).
 */
export function registerTaskHandler(kind: string, handler: TaskHandler, options: { maxAttempts?: number } = {}) {
  handlers.set(kind, { run: handler, maxAttempts: options.maxAttempts });
}

export interface RunnerOptions {
  clock?: Clock;
  batchSize?: number;
  leaseMs?: number;
  idleMs?: number;
  /** A wake-up polls after this long, not at once: a burst of webhooks costs a poll per gap, not one each. */
  wakeGapMs?: number;
}

// Kept on globalThis: the server bundle (where webhooks commit) and the process that loads it
// (where the runners are started) each hold a copy of this module.
const RUNNERS = Symbol.for("rebound.taskRunners");
type Holder = typeof globalThis & { [RUNNERS]?: Set<() => void> };
const runners = ((globalThis as Holder)[RUNNERS] ??= new Set());

/**
 * Says that a transaction which may have enqueued tasks has committed: this process's runners
 * poll now instead of at the end of their idle wait, so a restock's fan-out starts within
 * milliseconds of its webhook. Runners in other processes find the task on their next poll.
 */
export function wakeTaskRunners() {
  for (const nudge of runners) nudge();
}

/** Runs every due task once; returns how many ran. Used by the loop and by tests. */
export async function runDueTasks(owner: string, options: RunnerOptions = {}): Promise<number> {
  const clock = options.clock ?? systemClock;
  const tasks = await claimTasks(owner, options.batchSize ?? 20, options.leaseMs ?? 60_000, clock.now());
  for (const task of tasks) {
    const handler = handlers.get(task.kind);
    try {
      if (!handler) throw new Error(`no handler for task kind ${task.kind}`);
      await handler.run(task, clock);
      await completeTask(task.id, owner);
    } catch (error) {
      console.error(`task ${task.kind} ${task.id} failed:`, error instanceof Error ? error.message : error);
      await failTask(task, owner, error, clock.now(), handler?.maxAttempts);
    }
  }
  return tasks.length;
}

/** Polls for due tasks until stopped; a full batch polls again at once. */
export function startTaskRunner(options: RunnerOptions = {}) {
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
        ran = await runDueTasks(owner, options);
      } catch (error) {
        console.error("task runner:", error instanceof Error ? error.message : error);
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
