/**
 * `npm run setup`: applies the migrations the server would apply at start, on the database
 * DATABASE_URL names (or the embedded PGlite), and says which ones ran.
 */
import path from "node:path";
import { databaseEnv } from "../app/env.server";
import { databaseTarget, openConnection } from "../app/db/adapter.server";
import { migrate, readMigrations } from "../app/db/migrate.server";

const { DATABASE_URL, PGLITE_DIR } = databaseEnv();
const target = databaseTarget(DATABASE_URL, PGLITE_DIR);
const connection = openConnection(target);
try {
  const migrations = await readMigrations(path.resolve("prisma", "migrations"));
  const applied = await connection.withSession(async (raw) => {
    // A `?schema=` names where the tables go; the first setup of a deployment creates it.
    if (target.kind === "postgres") await raw.exec(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
    return migrate(raw, migrations, target.kind === "postgres");
  });
  const where = target.kind === "postgres" ? `PostgreSQL (schema ${target.schema})` : `PGlite (${target.dir})`;
  process.stdout.write(
    applied.length === 0
      ? `${where}: all ${migrations.length} migrations were already applied\n`
      : `${where}: applied ${applied.join(", ")}\n`,
  );
} finally {
  await connection.close();
}
