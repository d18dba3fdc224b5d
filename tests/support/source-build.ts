import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import * as entryServer from "../../app/entry.server";
import { remixFuture } from "../../app/remix-future";

/**
 * The app's Remix server build made of the modules this process already loaded (through Vite:
 * vitest, or tests/support/app-graph.ts), with the production build's browser files: tests and
 * tools that look inside the app share its one copy of every module (the database, the clock,
 * the task runners) instead of loading a second, bundled one.
 * docs/decisions/025-one-module-graph.md
 */
const routeModules = import.meta.glob<ServerBuild["routes"][string]["module"]>(["../../app/root.tsx", "../../app/routes/*.tsx"], {
  eager: true,
});

type AssetsManifest = ServerBuild["assets"];

const MANIFEST_PREFIX = "window.__remixManifest=";

/** The browser manifest Remix wrote to build/client/assets/manifest-<hash>.js. */
export function readBrowserManifest(root: string): AssetsManifest {
  const dir = path.join(root, "build/client/assets");
  const file = readdirSync(dir).find((name) => /^manifest-[0-9a-f]+\.js$/.test(name));
  if (!file) throw new Error(`no Remix browser manifest in ${dir} (run npm run build)`);
  const text = readFileSync(path.join(dir, file), "utf8").trim();
  if (!text.startsWith(MANIFEST_PREFIX) || !text.endsWith(";")) throw new Error(`unexpected format of ${file}`);
  return JSON.parse(text.slice(MANIFEST_PREFIX.length, -1)) as AssetsManifest;
}

export function sourceServerBuild(root = process.cwd()): ServerBuild {
  const assets = readBrowserManifest(root);
  const routes: ServerBuild["routes"] = {};
  for (const [id, route] of Object.entries(assets.routes)) {
    const module = routeModules[`../../app/${id}.tsx`];
    if (!module) throw new Error(`the build has a route ${id} that app/ does not (rebuild)`);
    routes[id] = { id, parentId: route.parentId, path: route.path, index: route.index, caseSensitive: route.caseSensitive, module };
  }
  return {
    mode: "production",
    // Its default export returns a Promise<unknown> (the Response a stream resolves to).
    entry: { module: entryServer as unknown as ServerBuild["entry"]["module"] },
    routes,
    assets,
    assetsBuildDirectory: path.join(root, "build/client"),
    publicPath: "/",
    basename: "/",
    future: remixFuture,
    isSpaMode: false,
  };
}
