import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll } from "vitest";
import { isolatedDatabaseEnv } from "./server";

/**
 * A migrated database of this test file's own: a fresh schema in the PostgreSQL that
 * DATABASE_URL names, or an in-memory PGlite. Call it at the top of the file: it registers the
 * hooks that open the database before the file's own beforeAll and close and drop it after its
 * afterAll. Import app modules that use the database inside beforeAll, so they see it.
 */
export function useTestDatabase(): { readonly prisma: PrismaClient } {
  let drop: (() => Promise<void>) | undefined;
  let db: typeof import("../../app/db.server") | undefined;
  beforeAll(async () => {
    drop = await isolatedDatabaseEnv();
    db = await import("../../app/db.server");
    await db.databaseReady();
  }, 60_000);
  afterAll(async () => {
    await db?.closeDatabase();
    await drop?.();
  });
  return {
    get prisma() {
      if (!db) throw new Error("the test database opens in beforeAll");
      return db.default;
    },
  };
}
