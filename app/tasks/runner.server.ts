import { randomUUID } from "node:crypto";
import type { Task } from "@prisma/client";
import { systemClock, type Clock } from "../shared/clock";
import { claimTasks, completeTask, failTask } from "./queue.server";

export type TaskHandler = (task: Task, clock: Clock) => Promise<void>;

const handlers = new Map<string, TaskHandler>();

/** Each module that defers work registers what to do with its task kind. */
export function registerTaskHandler(kind: string, handler: TaskHandler) {
  handlers.set(kind, handler);
}

export interface RunnerOptions {
  clock?: Clock;
  batchSize?: number;
  leaseMs?: number;
  idleMs?: number;
}

/** Runs every due task once; returns how many ran. Used by the loop and by tests. */
export async function runDueTasks(owner: string, options: RunnerOptions = {}): Promise<number> {
  const clock = options.clock ?? systemClock;
  const tasks = await claimTasks(owner, options.batchSize ?? 20, options.leaseMs ?? 60_000, clock.now());
  for (const task of tasks) {
    const handler = handlers.get(task.kind);
    try {
      if (!handler) throw new Error(`no handler for task kind ${task.kind}`);
      await handler(task, clock);
      await completeTask(task.id, owner);
    } catch (error) {
      console.error(`task ${task.kind} ${task.id} failed:`, error instanceof Error ? error.message : error);
      await failTask(task, owner, error, clock.now());
    }
  }
  return tasks.length;
}

/** Polls for due tasks until stopped; a full batch polls again at once. */
export function startTaskRunner(options: RunnerOptions = {}) {
  const owner = `tasks-${process.pid}-${randomUUID().slice(0, 8)}`;
  let stopped = false;
  let wake: (() => void) | undefined;
  const done = (async () => {
    while (!stopped) {
      let ran = 0;
      try {
        ran = await runDueTasks(owner, options);
      } catch (error) {
        console.error("task runner:", error instanceof Error ? error.message : error);
      }
      if (ran === 0 && !stopped) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, options.idleMs ?? 500).unref();
        });
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
