/**
 * `npm start` / `npm run dev`: the Rebound web process. Serves the app, applies migrations
 * before listening, and runs the outbox dispatcher and deferred webhook work unless
 * DISPATCHER=off (then run `npm run worker` processes).
 */
import { closeDatabase, startServer } from "./app-server";
import { InvalidEnvironment } from "../app/env.server";
import { errorFields, log } from "../app/shared/log.server";

async function main() {
  const running = await startServer({ dev: process.argv.includes("--dev") });
  // Says where it listens (PORT=0 picks a free port).
  log.info("rebound listening", { url: running.url });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("finishing in-flight work", { signal });
    await running.close();
    await closeDatabase();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error) => {
  // A bad environment lists the variables at fault (names, never values); anything else is
  // logged by its kind and code, as a database error's message quotes values.
  if (error instanceof InvalidEnvironment) process.stderr.write(`${error.message}\n`);
  else log.error("start-up failed", { error: errorFields(error) });
  process.exit(1);
});
