import { startHousekeeping } from "./maintenance/housekeeping.server";
import { startDispatcher } from "./engine.server";
import { startTaskRunner } from "./tasks/runner.server";
import "./tasks/handlers.server";

export interface BackgroundWork {
  stop(): Promise<void>;
}

/**
 * Everything a Rebound process does besides answering HTTP: deferred webhook work, the outbox
 * dispatcher, and the sweep that keeps receipts and finished tasks bounded. Runs in the web process by default and in `npm run worker` processes.
 */
export function startBackgroundWork(): BackgroundWork {
  const runners = [startTaskRunner(), startDispatcher(), startHousekeeping()];
  return {
    async stop() {
      await Promise.all(runners.map((runner) => runner.stop()));
    },
  };
}
