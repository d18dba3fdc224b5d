/**
 * `npm run dev`: the Rebound web process for development. Vite serves the browser's modules in
 * middleware mode and loads the server and the app through its own SSR module graph, so they
 * share one copy of every module, and a route edited on disk is reloaded on the next request.
 * Editing db.server.ts or what it imports needs a restart: PGlite opens once per process.
 */
import type { ServerBuild } from "@remix-run/node";
import { createServer } from "vite";

const vite = await createServer({ server: { middlewareMode: true }, appType: "custom" });
const { runWebProcess } = (await vite.ssrLoadModule("/server/web-process.ts")) as typeof import("./web-process");
await runWebProcess({
  build: () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<unknown> as Promise<ServerBuild>,
  assets: vite.middlewares,
  onClose: () => vite.close(),
});
