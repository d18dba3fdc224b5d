import { readFileSync } from "node:fs";
import path from "node:path";
import type { Plugin } from "vite";

/**
 * A stylesheet a route imports with `?url` is, in the production build, a hashed file under
 * /assets/. When the app's server modules run from source (tests, the sandbox, the benchmark)
 * next to the built browser files, this plugin gives such an import the built file's URL, read
 * from the build's Vite manifest, so pages link the stylesheet that build/client serves.
 */
export function builtAssetUrls(root = process.cwd()): Plugin {
  let files: Map<string, string> | undefined;
  const builtFiles = () => {
    if (files) return files;
    const manifestPath = path.join(root, "build/.vite/client-manifest.json");
    let manifest: Record<string, { file: string; src?: string }> = {};
    try {
      manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as typeof manifest;
    } catch {
      // No build yet: imports keep Vite's own URLs (nothing serves them, as nothing is built).
    }
    files = new Map(Object.entries(manifest).map(([source, entry]) => [path.resolve(root, entry.src ?? source), `/${entry.file}`]));
    return files;
  };
  return {
    name: "rebound:built-asset-urls",
    // Last, after Vite's asset handling and vitest's (which empties stylesheets in tests).
    enforce: "post",
    transform(_code, id) {
      if (!id.endsWith("?url")) return null;
      const url = builtFiles().get(id.slice(0, -"?url".length));
      return url === undefined ? null : `export default ${JSON.stringify(url)};`;
    },
  };
}
