import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { RawSql } from "./adapter.server";

/**
 * Applies prisma/migrations in order, recording them in Prisma's own `_prisma_migrations` table
 * (same columns, same sha256 checksums), so `prisma migrate status` agrees with what ran. The
 * app runs this at start-up on PGlite and PostgreSQL alike; on PostgreSQL an advisory lock lets
 * many processes start at once.
 */
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

// Any constant works; it only has to be the same in every Rebound process.
const LOCK_KEY = 727_274_001;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

export class MigrationDrift extends Error {
  constructor(name: string) {
    super(`Migration ${name} was changed after it was applied; add a new migration instead.`);
    this.name = "MigrationDrift";
  }
}

/** Returns the names of the migrations it applied. */
export async function migrate(raw: RawSql, migrations: Migration[], usesAdvisoryLock: boolean) {
  // A migration may rewrite a big table, and the processes starting behind the one migrating
  // wait on its advisory lock: neither is held to the request limits the pool starts with.
  // RESET puts the connection back to those limits before it returns to the pool.
  if (usesAdvisoryLock) await raw.exec("SET statement_timeout = 0; SET lock_timeout = 0");
  try {
    return await migrateLocked(raw, migrations, usesAdvisoryLock);
  } finally {
    if (usesAdvisoryLock) await raw.exec("RESET statement_timeout; RESET lock_timeout").catch(() => {});
  }
}

async function migrateLocked(raw: RawSql, migrations: Migration[], usesAdvisoryLock: boolean) {
  if (usesAdvisoryLock) await raw.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
  try {
    await raw.exec(MIGRATIONS_TABLE);
    const done = await raw.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations"
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Map(done.map((row) => [row.migration_name, row.checksum]));
    const ran: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) throw new MigrationDrift(migration.name);
        continue;
      }
      await raw.exec(`BEGIN;\n${migration.sql}\n;COMMIT;`).catch(async (error: unknown) => {
        await raw.exec("ROLLBACK").catch(() => {});
        throw error;
      });
      await raw.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
      ran.push(migration.name);
    }
    return ran;
  } finally {
    if (usesAdvisoryLock) await raw.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
  }
}
