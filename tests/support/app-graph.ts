import { createServer } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import { builtAssetUrls } from "./built-asset-urls";

export interface AppGraph {
  /** Loads a module (a path from the repository root, "/sandbox/scenario.ts") into the graph */
  load<T>(file: string): Promise<T>;
  close(): Promise<void>;
}

/**
 * One Vite SSR module graph for a tool that runs the app from source in a process of its own
 * (the sandbox, the benchmark's app process): the app, the server and the tool's own modules all
 * load through it, one copy each, as they do in a vitest file, and the server is given the
 * routes of tests/support/source-build.ts. No file watching and no HMR: a run sees the source
 * as it was when it started. docs/decisions/025-one-module-graph.md
 */
export async function appGraph(root = process.cwd()): Promise<AppGraph> {
  const vite = await createServer({
    configFile: false,
    root,
    plugins: [tsconfigPaths(), builtAssetUrls(root)],
    server: { middlewareMode: true, hmr: false, watch: null },
    appType: "custom",
    logLevel: "warn",
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  return {
    load: <T>(file: string) => vite.ssrLoadModule(file) as Promise<T>,
    close: () => vite.close(),
  };
}
