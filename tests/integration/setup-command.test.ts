import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

/** `npm run setup` as the README tells an operator to run it: migrations applied, then nothing left to apply. */
const run = promisify(execFile);
const url = process.env.DATABASE_URL;
const schema = `setup_${process.pid}_${randomBytes(3).toString("hex")}`;
let dir: string | undefined;

function databaseFor(): Record<string, string> {
  if (!url) return { PGLITE_DIR: dir! };
  const target = new URL(url);
  target.searchParams.set("schema", schema);
  return { DATABASE_URL: target.toString() };
}

async function setup() {
  const env = { ...process.env, DATABASE_URL: "", SHOPIFY_API_KEY: "", SHOPIFY_API_SECRET: "", ...databaseFor() };
  const { stdout } = await run("npx", ["--no-install", "tsx", "server/migrate.ts"], { env, timeout: 120_000 });
  return stdout.trim();
}

describe("npm run setup", () => {
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (url) {
      const base = new URL(url);
      base.searchParams.delete("schema");
      const client = new pg.Client({ connectionString: base.toString() });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });

  it("applies every migration without the Shopify credentials, then finds nothing left to apply", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "rebound-setup-"));
    const first = await setup();
    expect(first).toMatch(/applied 20261125000000_init, /);
    const second = await setup();
    expect(second).toMatch(/all \d+ migrations were already applied$/);
  });
});
