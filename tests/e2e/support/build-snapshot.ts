import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";

/**
 * Browser tests load client assets long after the server started; another test run rebuilding
 * build/ in between would swap the hashed asset names under the page. A private copy, taken
 * under the build lock, keeps server bundle and assets from the same build. It lives inside
 * node_modules/.cache so the server bundle still resolves its packages from the checkout.
 */
export function snapshotBuild(): { root: string; remove(): void } {
  const root = path.resolve("node_modules/.cache", `rebound-e2e-${process.pid}`);
  mkdirSync(root, { recursive: true });
  execFileSync("flock", ["/tmp/rebound-build.lock", "cp", "-r", "build", root]);
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
