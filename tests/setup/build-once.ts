import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

// Integration tests run the production build; build it when it is missing or older than app/.
// A lock keeps two test runs on one checkout from writing build/ at the same time.
export default function buildOnce() {
  const built = "build/server/index.js";
  const stale = () => !existsSync(built) || newestSource("app") > statSync(built).mtimeMs;
  if (!stale()) return;
  execFileSync("flock", ["/tmp/rebound-build.lock", "npx", "--no-install", "remix", "vite:build", "--logLevel", "warn"], {
    stdio: "inherit",
  });
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}
