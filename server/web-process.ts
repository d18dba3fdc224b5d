/**
 * The Rebound web process: serves the app, applies migrations before listening, and runs the
 * outbox dispatcher and deferred webhook work unless DISPATCHER=off (then run `npm run worker`
 * processes). Started by server/main.ts (production) and server/dev.ts (development).
 */
import { startServer, closeDatabase, type ServerOptions } from "./app-server";
import { InvalidEnvironment } from "../app/env.server";
import { errorFields, log } from "../app/shared/log.server";

export interface WebProcessOptions extends ServerOptions {
  /** Runs after the server closed, before the database does (development: stop Vite) */
  onClose?: () => Promise<void>;
}

async function run(options: WebProcessOptions) {
  const running = await startServer(options);
  // Says where it listens (PORT=0 picks a free port).
  log.info("rebound listening", { url: running.url });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("finishing in-flight work", { signal });
    await running.close();
    await options.onClose?.();
    await closeDatabase();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

export function runWebProcess(options: WebProcessOptions): Promise<void> {
  return run(options).catch((error: unknown) => {
    // A bad environment lists the variables at fault (names, never values); anything else is
    // logged by its kind and code, as a database error's message quotes values.
    if (error instanceof InvalidEnvironment) process.stderr.write(`${error.message}\n`);
    else log.error("start-up failed", { error: errorFields(error) });
    process.exit(1);
  });
}
