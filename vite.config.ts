import path from "node:path";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type Plugin } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import { remixFuture } from "./app/remix-future";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

const REMIX_SERVER_BUILD = "virtual:remix/server-build";

/**
 * The processes Rebound runs, built in the same server build as the app (build/server/<name>.js):
 * Rollup puts the modules they share with the routes in shared chunks, so each process loads
 * every app module once. docs/decisions/025-one-module-graph.md
 */
const PROCESS_ENTRIES = {
  main: "server/main.ts",
  worker: "server/worker.ts",
  "webhooks-failed": "scripts/webhooks-failed.ts",
};

function processEntries(): Plugin {
  return {
    name: "rebound:process-entries",
    apply: "build",
    options(options) {
      // Only the server build: Remix gives it the one input, its server build module.
      if (options.input !== REMIX_SERVER_BUILD) return null;
      const entries = Object.fromEntries(Object.entries(PROCESS_ENTRIES).map(([name, file]) => [name, path.resolve(file)]));
      return { ...options, input: { index: REMIX_SERVER_BUILD, ...entries } };
    },
    outputOptions(output) {
      // Remix names its one entry index.js; with several, each is named after its input.
      if (output.entryFileNames !== "index.js") return null;
      return { ...output, entryFileNames: "[name].js" };
    },
  };
}

export default defineConfig({
  server: {
    host: "127.0.0.1",
    // The app is served by server/dev.ts during development (Vite in middleware mode).
    hmr: { port: Number(process.env.HMR_PORT ?? 64999) },
    fs: { allow: ["app", "node_modules"] },
  },
  plugins: [
    remix({
      ignoredRouteFiles: ["**/.*", "**/*.test.*"],
      future: remixFuture,
    }),
    tsconfigPaths(),
    processEntries(),
  ],
  // The manifest (kept in build/.vite/, outside what is served) maps a stylesheet imported with
  // ?url to its hashed file, for the server build assembled from source in tests and tools.
  build: { assetsInlineLimit: 0, manifest: true },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
});
