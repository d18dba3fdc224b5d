/**
 * `npm run worker`: a process that only does background work (the outbox dispatcher and deferred
 * webhook tasks). Run as many as needed next to web processes started with DISPATCHER=off; they
 * share the work through PostgreSQL row locks. SIGTERM finishes in-flight sends, hands back the
 * rows not started, and exits. Built with the app into build/server/worker.js (`npm run worker`
 * runs it with node); it also runs from source (`tsx server/worker.ts`), where it loads the app
 * once too, as it needs no routes.
 */
import { startBackgroundWork } from "../app/background.server";
import { closeDatabase, databaseReady } from "../app/db.server";
import { env, InvalidEnvironment } from "../app/env.server";
import { errorFields, log } from "../app/shared/log.server";

async function main() {
  env();
  const applied = await databaseReady();
  if (applied.length > 0) log.info("migrations applied", { migrations: applied });
  const background = startBackgroundWork();
  // The runners' idle timers do not hold the process open (nor does PGlite): this does, until a
  // signal stops the worker.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  // Tests and process managers read this line (at LOG_LEVEL info or lower) to know the worker runs.
  log.info("rebound worker started", { pid: process.pid });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("finishing in-flight work", { signal });
    await background.stop();
    clearInterval(keepAlive);
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
