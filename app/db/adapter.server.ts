import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { pipeline, type Statement } from "./pipeline.server";

/**
 * Where the data lives. DATABASE_URL set: PostgreSQL (production, CI); unset: PGlite, PostgreSQL
 * compiled to WASM running in this process, stored under a folder (the demo, laptops, tests).
 * A `?schema=name` on the URL puts every table in that schema, so test runs can own one each.
 */
export type DatabaseTarget =
  | { kind: "pglite"; dir: string }
  | { kind: "postgres"; url: string; schema: string };

export function databaseTarget(databaseUrl: string | undefined, pgliteDir: string): DatabaseTarget {
  if (!databaseUrl) {
    const dir = pgliteDir.startsWith("memory://") ? pgliteDir : path.resolve(pgliteDir);
    return { kind: "pglite", dir };
  }
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get("schema") ?? "public";
  url.searchParams.delete("schema");
  if (!/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) {
    throw new Error(`DATABASE_URL: schema "${schema}" is not a plain identifier`);
  }
  return { kind: "postgres", url: url.toString(), schema };
}

/**
 * A SQL connection for the things Prisma's query API is not for: migrations, maintenance, and
 * the webhook hot path, where the ORM's per-query work costs more than the statement itself.
 */
export interface RawSql {
  /** Runs a script of one or more statements (no parameters). */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Connection {
  target: DatabaseTarget;
  adapter: PrismaPGlite | PrismaPg;
  raw: RawSql;
  /** Runs fn on one dedicated connection (session state such as advisory locks stays put). */
  withSession<T>(fn: (raw: RawSql) => Promise<T>): Promise<T>;
  /**
   * Runs the statements in order as one transaction, each with a snapshot taken when it starts,
   * and returns the rows of each. PostgreSQL: one round trip (./pipeline.server.ts).
   */
  batch(statements: Statement[]): Promise<unknown[][]>;
  close(): Promise<void>;
}

// PostgreSQL reports some catalogue columns as `name` (OID 19), which Prisma's pg adapter cannot
// decode (prisma/prisma#27403); they are plain text.
const NAME_OID = 19;
const TEXT_OID = 25;

/**
 * Limits every connection of the pool starts with (PostgreSQL only; PGlite is one in-process
 * connection with nothing to wait for). Unset: no limit (the `npm run setup` command).
 */
export interface ConnectionLimits {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  /** Waiting for a free pooled connection, or opening a new one */
  connectTimeoutMs: number;
}

export function openConnection(target: DatabaseTarget, limits?: ConnectionLimits): Connection {
  if (target.kind === "pglite") {
    // PGlite creates its own folder but not the ones above it (data/ on a fresh clone).
    if (!target.dir.startsWith("memory://")) mkdirSync(path.dirname(target.dir), { recursive: true });
    const db = new PGlite(target.dir);
    const raw: RawSql = {
      exec: async (sql) => {
        await db.exec(sql);
      },
      query: async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows,
    };
    return {
      target,
      adapter: new PrismaPGlite(db),
      raw,
      withSession: (fn) => fn(raw),
      batch: (statements) =>
        db.transaction(async (tx) => {
          const rows: unknown[][] = [];
          for (const statement of statements) rows.push((await tx.query(statement.text, statement.values)).rows);
          return rows;
        }),
      close: () => db.close(),
    };
  }
  const settings = [`-c search_path="${target.schema}"`];
  if (limits) settings.push(`-c statement_timeout=${Math.round(limits.statementTimeoutMs)}`, `-c lock_timeout=${Math.round(limits.lockTimeoutMs)}`);
  const pool = new pg.Pool({
    connectionString: target.url,
    max: 10,
    options: settings.join(" "),
    ...(limits ? { connectionTimeoutMillis: Math.round(limits.connectTimeoutMs) } : {}),
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        pg.types.getTypeParser(oid === NAME_OID ? TEXT_OID : oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A connection dropped by the server (restart, pg_terminate_backend) is replaced on next use;
  // without a listener the pool's idle-client error would crash the process.
  pool.on("error", () => {});
  releaseDeadCheckouts(pool);
  const session = (client: pg.PoolClient): RawSql => ({
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
  });
  return {
    target,
    adapter: new PrismaPg(pool, { schema: target.schema }),
    raw: {
      exec: async (sql) => {
        await pool.query(sql);
      },
      query: async <T>(sql: string, params: unknown[] = []) =>
        (await pool.query(sql, params)).rows as T[],
    },
    withSession: async (fn) => {
      const client = await pool.connect();
      try {
        return await fn(session(client));
      } finally {
        client.release();
      }
    },
    batch: (statements) => pipeline(pool, statements),
    close: () => pool.end(),
  };
}

/**
 * A connection that dies while checked out (cut in the middle of a transaction by a failover or
 * pg_terminate_backend) goes back to the pool as broken, so the pool opens a new one in its slot.
 * Prisma's interactive transactions never release a connection whose ROLLBACK failed: each such
 * cut kept one of the pool's slots forever, and after `max` of them every request timed out
 * waiting for a connection. A later release of the same checkout (Prisma's own) does nothing.
 *
 * The guard is armed only while the checkout lasts: pg-pool can release a checkout before the
 * guard arms (a caller that stopped waiting for a connection being opened gets the timeout, and
 * the pool releases the connection itself as soon as it opens), and whenever the pool takes a
 * connection back, however it was released, the guard is disarmed. Armed on an idle connection,
 * the server ending it released it a second time, and pg-pool's throw ended the process.
 */
export function releaseDeadCheckouts(pool: pg.Pool): void {
  const disarm = new WeakMap<pg.PoolClient, () => void>();
  const releases = new WeakMap<pg.PoolClient, number>();
  pool.on("release", (_error, client) => {
    releases.set(client, (releases.get(client) ?? 0) + 1);
    disarm.get(client)?.();
  });
  pool.on("acquire", (client) => {
    const before = releases.get(client) ?? 0;
    // The pool assigns this checkout's release right after the event, before anyone can use it.
    queueMicrotask(() => {
      if ((releases.get(client) ?? 0) !== before) return; // already back in the pool
      const release = client.release;
      let released = false;
      const stop = () => {
        released = true;
        client.removeListener("error", onDeath);
        client.removeListener("end", onEnd);
        disarm.delete(client);
      };
      const releaseOnce = (error?: Error | boolean) => {
        if (released) return;
        stop();
        release(error);
      };
      const onDeath = (error: Error) => releaseOnce(error);
      const onEnd = () => releaseOnce(new Error("connection ended while checked out"));
      client.on("error", onDeath);
      client.on("end", onEnd);
      disarm.set(client, stop);
      client.release = releaseOnce;
    });
  });
}

/** Used by prisma.config.ts so `prisma migrate diff/status` work without an engine binary. */
export async function migrationAdapter() {
  const target = databaseTarget(process.env.DATABASE_URL, process.env.PGLITE_DIR ?? "data/pglite");
  if (target.kind === "pglite") return new PrismaPGlite(new PGlite());
  return openConnection(target).adapter;
}
