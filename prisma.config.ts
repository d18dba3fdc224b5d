import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma's JavaScript schema engine through a driver adapter: no engine binary is downloaded.
// `DATABASE_URL` set: PostgreSQL through @prisma/adapter-pg; unset: the embedded PGlite under data/.
// The app applies migrations itself at start-up too (app/db/migrate.server.ts).
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    const { migrationAdapter } = await import("./app/db/adapter.server");
    return migrationAdapter();
  },
});
