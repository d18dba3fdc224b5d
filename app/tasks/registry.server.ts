import type { Task } from "@prisma/client";
import type { Clock } from "../shared/clock";
import { TASK_KINDS } from "./kinds";

/** What a handler may watch: `signal` is aborted when another runner took the task over. */
export interface TaskContext {
  signal: AbortSignal;
}

export type TaskHandler = (task: Task, clock: Clock, context: TaskContext) => Promise<void>;

/** `maxAttempts` overrides the queue's default for work that must keep trying (backoff is capped at an hour). */
export interface TaskHandlerSpec {
  run: TaskHandler;
  maxAttempts?: number;
}

/** What a domain module exports for the registry: its task kinds and what to do with each. */
export type TaskHandlers = Readonly<Record<string, TaskHandler | TaskHandlerSpec>>;

export interface TaskRegistry {
  handler(kind: string): TaskHandlerSpec | undefined;
  kinds(): string[];
}

/** The registry does not cover what it must: a kind is handled twice or not at all. */
export class TaskRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TaskRegistryError";
  }
}

/**
 * One registry from the handler maps of the modules that own the work. `required` lists the kinds
 * that must have a handler; a process that runs the app's tasks passes every kind the app
 * enqueues (appTaskRegistry below), so a missing handler stops its start-up instead of failing
 * tasks later. A kind handled by two modules is an error too: which one would run is a guess.
 */
export function createTaskRegistry(maps: readonly TaskHandlers[], required: readonly string[] = []): TaskRegistry {
  const handlers = new Map<string, TaskHandlerSpec>();
  for (const map of maps) {
    for (const [kind, handler] of Object.entries(map)) {
      if (handlers.has(kind)) throw new TaskRegistryError(`task kind ${kind} has two handlers`);
      handlers.set(kind, typeof handler === "function" ? { run: handler } : handler);
    }
  }
  const missing = required.filter((kind) => !handlers.has(kind));
  if (missing.length > 0) throw new TaskRegistryError(`no handler for task kinds ${missing.join(", ")}`);
  return {
    handler: (kind) => handlers.get(kind),
    kinds: () => [...handlers.keys()],
  };
}

/** The registry of a process that runs the app's tasks: every kind of ./kinds.ts handled. */
export function appTaskRegistry(maps: readonly TaskHandlers[]): TaskRegistry {
  const registry = createTaskRegistry(maps, TASK_KINDS);
  // A handler for a kind nobody can enqueue is a misspelt kind, whose real one is then unhandled.
  const known = new Set<string>(TASK_KINDS);
  const unknown = registry.kinds().filter((kind) => !known.has(kind));
  if (unknown.length > 0) throw new TaskRegistryError(`handlers for task kinds that are never enqueued: ${unknown.join(", ")}`);
  return registry;
}
