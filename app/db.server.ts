import path from "node:path";
import { PrismaClient, type Prisma } from "@prisma/client";
import { env } from "./env.server";
import { databaseTarget, openConnection, type Connection, type RawSql } from "./db/adapter.server";
import { migrate, readMigrations } from "./db/migrate.server";

/**
 * The one Prisma client of this process. PGlite must be opened once per process: the server,
 * the dispatcher and the background work all use this module's single instance (each process
 * loads the app once, docs/decisions/025-one-module-graph.md).
 */
export interface Database {
  prisma: PrismaClient;
  connection: Connection;
  ready: Promise<string[]>;
}

let current: Database | undefined;

const migrationsDir = () =>
  path.resolve(process.env.REBOUND_ROOT ?? process.cwd(), "prisma", "migrations");

function open(): Database {
  const config = env();
  const connection = openConnection(databaseTarget(config.DATABASE_URL, config.PGLITE_DIR), {
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: config.DATABASE_LOCK_TIMEOUT_MS,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
  });
  const prisma = new PrismaClient({ adapter: connection.adapter });
  const ready = (async () => {
    const migrations = await readMigrations(migrationsDir());
    return connection.withSession((raw) =>
      migrate(raw, migrations, connection.target.kind === "postgres"),
    );
  })();
  // Keep the rejection observable by whoever awaits `ready` without an unhandled-rejection crash.
  ready.catch(() => {});
  return { prisma, connection, ready };
}

function database(): Database {
  current ??= open();
  return current;
}

/**
 * Puts a stand-in in place of this process's database until the returned function restores
 * it: for tests that prove a request reads no database at all.
 */
export function replaceDatabase(standIn: Database): () => void {
  const real = current;
  current = standIn;
  return () => {
    current = real;
  };
}

/** Resolves once every migration is applied; start-up awaits it before serving. */
export function databaseReady(): Promise<string[]> {
  return database().ready;
}

export async function closeDatabase(): Promise<void> {
  const db = current;
  if (!db) return;
  current = undefined;
  await db.prisma.$disconnect();
  await db.connection.close();
}

export function rawSql() {
  return database().connection.raw;
}

/**
 * Runs fn on a connection of its own without the request-sized statement timeout: for harness and
 * maintenance work (seeding the benchmark's 100,000 shoppers, a backfill) that may rightly take
 * longer than anything a request or a task does. The timeout is restored before the connection
 * goes back to the pool.
 */
export function withUntimedSession<T>(fn: (raw: RawSql) => Promise<T>): Promise<T> {
  const { connection } = database();
  return connection.withSession(async (raw) => {
    if (connection.target.kind !== "postgres") return fn(raw);
    await raw.exec("SET statement_timeout = 0");
    try {
      return await fn(raw);
    } finally {
      await raw.exec("RESET statement_timeout").catch(() => {});
    }
  });
}

/**
 * Runs a statement built with Prisma.sql on the driver directly (the same pool as the ORM's):
 * for hot paths where the ORM's per-query work costs more than the statement.
 */
export async function sqlRows<T>(statement: Prisma.Sql): Promise<T[]> {
  const { connection } = database();
  // On PostgreSQL through the pipeline, which prepares hot statements once per connection.
  if (connection.target.kind === "pglite") return connection.raw.query<T>(statement.text, statement.values);
  const [rows] = await connection.batch([statement]);
  return rows as T[];
}

/**
 * sqlRows for a statement with array parameters (`${ids}::text[]`), which the pipeline does not
 * send: on the driver directly, unprepared. For the dispatcher's per-send writes, where Prisma's
 * per-query work (parameter and result mapping, the query interpreter) is most of the cost.
 */
export async function sqlQuery<T>(statement: Prisma.Sql): Promise<T[]> {
  return database().connection.raw.query<T>(statement.text, statement.values);
}

/** Runs the statements as one transaction in one round trip (see Connection.batch). */
export function sqlBatch(statements: Prisma.Sql[]): Promise<unknown[][]> {
  return database().connection.batch(statements);
}

/**
 * Raises the statement limit for the rest of the caller's transaction to the one for long
 * background work (DATABASE_LONG_STATEMENT_TIMEOUT_MS): a restock fan-out to 100,000 shoppers
 * or a campaign launch is one big statement, run by a task, never on a request's path.
 */
export async function allowLongStatements(tx: Pick<Prisma.TransactionClient, "$executeRawUnsafe">): Promise<void> {
  await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${Math.round(env().DATABASE_LONG_STATEMENT_TIMEOUT_MS)}`);
}

export function databaseKind() {
  return database().connection.target.kind;
}

// A lazy proxy, so importing this module opens nothing until the first query.
const prisma = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = database().prisma as unknown as Record<PropertyKey, unknown>;
    const value = client[property];
    return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(client) : value;
  },
});

export default prisma;

/** The client or a transaction of it: what a function that may run inside a caller's transaction takes. */
export type Db = Prisma.TransactionClient | typeof prisma;
