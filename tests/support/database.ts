import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll } from "vitest";
import prisma, { closeDatabase, databaseReady } from "../../app/db.server";
import { isolatedDatabaseEnv } from "./server";

/**
 * A migrated database of this test file's own: a fresh schema in the PostgreSQL that
 * DATABASE_URL names, or an in-memory PGlite. Call it at the top of the file: it registers the
 * hooks that open the database before the file's own beforeAll and close and drop it after its
 * afterAll. The app opens its database on first use, so modules imported at the top see it.
 */
export function useTestDatabase(): { readonly prisma: PrismaClient } {
  let drop: (() => Promise<void>) | undefined;
  let open = false;
  beforeAll(async () => {
    drop = await isolatedDatabaseEnv();
    await databaseReady();
    open = true;
  }, 60_000);
  afterAll(async () => {
    if (open) await closeDatabase();
    await drop?.();
  });
  return {
    get prisma() {
      if (!open) throw new Error("the test database opens in beforeAll");
      return prisma;
    },
  };
}
