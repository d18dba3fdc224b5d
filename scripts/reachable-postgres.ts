import pg from "pg";

/** DATABASE_URL (or the local default) when a PostgreSQL answers there within two seconds, else null. */
export async function reachablePostgres(): Promise<string | null> {
  const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return url;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}
