import type { TaskKind } from "../../app/tasks/kinds";
import type { TaskHandler, TaskHandlerSpec, TaskRegistry } from "../../app/tasks/registry.server";

/**
 * A registry a test fills as it goes, for kinds of its own ("test.slow"): the runner in a test
 * file claims every due task of its schema, so one registry serves the whole file.
 */
export function testTaskRegistry() {
  const handlers = new Map<string, TaskHandlerSpec>();
  const registry: TaskRegistry = { handler: (kind) => handlers.get(kind), kinds: () => [...handlers.keys()] };
  return {
    registry,
    on(kind: string, run: TaskHandler, options: { maxAttempts?: number } = {}) {
      handlers.set(kind, { run, ...options });
    },
  };
}

/** A kind the app never enqueues, for a test's own tasks. */
export const testKind = (name: `test.${string}`) => name as unknown as TaskKind;
