import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Builds the app (remix vite:build) when build/ is missing or older than app/. The integration
 * tests and the sandbox run the production build; a lock keeps two runs on one checkout from
 * writing build/ at the same time.
 */
export function buildIfStale(root = process.cwd()): boolean {
  const built = path.join(root, "build/server/index.js");
  const stale = !existsSync(built) || newestFile(path.join(root, "app")) > statSync(built).mtimeMs;
  if (!stale) return false;
  execFileSync("flock", ["/tmp/rebound-build.lock", "npx", "--no-install", "remix", "vite:build", "--logLevel", "warn"], {
    stdio: "inherit",
    cwd: root,
  });
  return true;
}

function newestFile(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}
