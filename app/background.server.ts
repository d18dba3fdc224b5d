import { catalogTaskHandlers } from "./catalog/inventory-item.server";
import { consentTaskHandlers } from "./consent/shopify-consent-tasks.server";
import { flowTaskHandlers } from "./flows/handlers.server";
import { startHousekeeping } from "./maintenance/housekeeping.server";
import { startDispatcher } from "./engine.server";
import { installTaskHandlers } from "./shops/install-completion.server";
import { unauthenticated } from "./shopify.server";
import { appTaskRegistry, type TaskRegistry } from "./tasks/registry.server";
import { startTaskRunner } from "./tasks/runner.server";
import { signalsTaskHandlers } from "./whatsapp/signals-task.server";
import { templateTaskHandlers } from "./whatsapp/template-sync-task.server";
import { libraryTaskHandlers } from "./templates/submit-task.server";

export interface BackgroundWork {
  stop(): Promise<void>;
}

/**
 * Every task kind's handler, listed once. The modules that own the work export their handlers;
 * the task queue knows none of them (app/tasks imports no other folder of the app), so this is the
 * one place that wires them. Throws when a kind the app enqueues (app/tasks/kinds.ts) has no
 * handler here, which stops the process at start-up.
 */
const openShopAdmin = async (shop: string) => (await unauthenticated.admin(shop)).admin;

export function createAppTaskRegistry(): TaskRegistry {
  return appTaskRegistry([
    catalogTaskHandlers,
    consentTaskHandlers,
    flowTaskHandlers,
    installTaskHandlers(openShopAdmin),
    templateTaskHandlers,
    libraryTaskHandlers,
    signalsTaskHandlers,
  ]);
}

/**
 * Everything a Rebound process does besides answering HTTP: deferred webhook work, the outbox
 * dispatcher, and the sweep that keeps receipts and finished tasks bounded. Runs in the web process by default and in `npm run worker` processes.
 */
export function startBackgroundWork(): BackgroundWork {
  const registry = createAppTaskRegistry();
  const runners = [startTaskRunner(registry), startDispatcher(), startHousekeeping()];
  return {
    async stop() {
      await Promise.all(runners.map((runner) => runner.stop()));
    },
  };
}
