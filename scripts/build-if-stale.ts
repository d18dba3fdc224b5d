import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** What the build is made of (vite.config.ts builds server/ and this command with the app). */
const SOURCES = ["app", "server", "scripts/webhooks-failed.ts", "vite.config.ts"];

/**
 * Builds the app (remix vite:build) when build/ is missing or older than its sources. The
 * integration tests and the sandbox serve the built browser files; a lock keeps two runs on one
 * checkout from writing build/ at the same time.
 */
export function buildIfStale(root = process.cwd()): boolean {
  const built = path.join(root, "build/server/index.js");
  const newest = Math.max(...SOURCES.map((source) => newestFile(path.join(root, source))));
  const stale = !existsSync(built) || newest > statSync(built).mtimeMs;
  if (!stale) return false;
  execFileSync("flock", ["/tmp/rebound-build.lock", "npx", "--no-install", "remix", "vite:build", "--logLevel", "warn"], {
    stdio: "inherit",
    cwd: root,
  });
  return true;
}

function newestFile(file: string): number {
  if (!statSync(file).isDirectory()) return statSync(file).mtimeMs;
  const dir = file;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}
