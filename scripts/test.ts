/**
 * `npm test`: everything that needs nothing beyond `npm ci`. Type check, lint (eslint, then knip
 * for unused files, exports and dependencies), the import rules (.dependency-cruiser.cjs), build,
 * then the unit and integration suites (PGlite, or PostgreSQL when DATABASE_URL is set). Stops at
 * the first failing step and says which.
 */
import { spawnSync } from "node:child_process";

const database = process.env.DATABASE_URL ? `PostgreSQL (${new URL(process.env.DATABASE_URL).host})` : "PGlite";
const steps: Array<[string, string[]]> = [
  ["type check", ["tsc", "--noEmit"]],
  ["lint", ["eslint", "--max-warnings", "0", "."]],
  ["unused files, exports and dependencies", ["knip"]],
  ["import rules", ["depcruise", "app", "server", "--config", ".dependency-cruiser.cjs"]],
  ["no folder cycles", ["tsx", "scripts/folder-cycles.ts"]],
  ["build", ["remix", "vite:build", "--logLevel", "warn"]],
  ["unit and integration tests", ["vitest", "run", ...process.argv.slice(2)]],
];

console.log(`Rebound tests on ${database}`);
for (const [name, [command, ...args]] of steps) {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const result = spawnSync("npx", ["--no-install", command, ...args], { stdio: "inherit" });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✖ ${name} failed after ${seconds}s (database: ${database})`);
    process.exit(result.status ?? 1);
  }
  console.log(`✔ ${name} (${seconds}s)`);
}
console.log(`\nAll tests passed on ${database}.`);
