import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { buildIfStale } from "./build-if-stale";

/**
 * A private copy of the production build for one test file, benchmark or chaos run. Other work
 * on the same checkout rebuilds build/ at any time (vite empties it first), which would pull the
 * bundle, or the hashed assets a browser asks for later, out from under a running server. The
 * copy sits under node_modules/.cache so the bundle still resolves its packages.
 */
export function snapshotBuild(label = "tests"): { root: string; built: boolean; remove(): void } {
  const root = path.resolve("node_modules/.cache", `rebound-${label}-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  execFileSync("mkdir", ["-p", root]);
  let built = false;
  for (let attempt = 1; ; attempt++) {
    built = buildIfStale() || built;
    try {
      // Under the build lock, so no build is half-way through writing build/ while we copy it.
      execFileSync("flock", ["/tmp/rebound-build.lock", "cp", "-r", "build", root], { stdio: "pipe" });
      if (existsSync(path.join(root, "build/server/index.js"))) break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
    if (attempt >= 3) throw new Error("no complete build/ to copy");
  }
  return { root, built, remove: () => rmSync(root, { recursive: true, force: true }) };
}
