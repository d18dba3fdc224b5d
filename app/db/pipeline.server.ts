import { createHash } from "node:crypto";
import pg from "pg";

/** A statement with $1… placeholders, as Prisma.sql renders it (`.text`, `.values`). */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * Parameters on the wire, as text. Only what hand-written statements pass: instants go in as
 * ISO strings (app/webhooks/sql.server.ts), lists are spread into separate parameters.
 */
function wireValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  throw new TypeError(`unsupported SQL parameter of type ${Array.isArray(value) ? "array" : typeof value}`);
}

/**
 * Hot statements are prepared once per connection under a name derived from their text, so the
 * server parses and plans them once instead of on every delivery. Only the first few distinct
 * texts get a name: a statement whose text varies (a list spread into parameters) must not pile
 * up prepared statements on every connection.
 */
const MAX_NAMED = 64;
const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `rebound_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    names.set(text, name);
  }
  return name ?? "";
}

interface Wire {
  /** Statement names this connection has been sent a Parse for */
  parsedStatements: Record<string, string>;
  parse(query: { text: string; name: string; types: string[] }): void;
  bind(config: { statement: string; values: Array<string | null> }): void;
  describe(msg: { type: string; name: string }): void;
  execute(config: { portal: string }): void;
  sync(): void;
}

type Results = pg.QueryResult | pg.QueryResult[];

/**
 * Several statements sent at once, ended by a single Sync. PostgreSQL runs the Executes before a
 * Sync as one implicit transaction (committed at the Sync, rolled back and the rest skipped on
 * the first error) and, under READ COMMITTED, gives each statement a snapshot of its own, taken
 * when the server reaches it: one round trip for what BEGIN … COMMIT would take four.
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-PIPELINING
 *
 * node-postgres writes one statement's messages per query; this query writes them all. The
 * client reads the replies as it does for any query that returns several results.
 */
class Pipeline extends pg.Query {
  private readonly wire: Array<{ name: string; text: string; values: Array<string | null> }>;

  constructor(statements: Statement[], callback: (error: Error | undefined, results: Results) => void) {
    // Converted here, so a bad parameter fails the call instead of the connection's write.
    const wire = statements.map((s) => ({ name: statementName(s.text), text: s.text, values: s.values.map(wireValue) }));
    // queryMode "extended" (not in the type definitions) makes submit call prepare below.
    const config = { text: wire[0].text, values: wire[0].values, queryMode: "extended" };
    super(config as pg.QueryConfig, callback as never);
    this.wire = wire;
  }

  /** Called by pg.Query's submit, with the socket corked: everything leaves in one write. */
  prepare(connection: Wire) {
    for (const statement of this.wire) {
      // Recorded when sent: after any error the connection is discarded (see pipeline below), so
      // a Parse the server skipped is never taken for one it ran.
      if (!statement.name || connection.parsedStatements[statement.name] === undefined) {
        connection.parse({ text: statement.text, name: statement.name, types: [] });
        if (statement.name) connection.parsedStatements[statement.name] = statement.text;
      }
      connection.bind({ statement: statement.name, values: statement.values });
      connection.describe({ type: "P", name: "" });
      connection.execute({ portal: "" });
    }
    connection.sync();
  }
}

/** Runs the statements as one transaction in one round trip; the rows of each, in order. */
export async function pipeline(pool: pg.Pool, statements: Statement[]): Promise<unknown[][]> {
  if (statements.length === 0) return [];
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client has no listener of the pool's: a connection the server ends between our
  // ReadyForQuery and the release (pg_terminate_backend, a failover) would be an unhandled
  // 'error' event, which ends the process. Noted here instead, and the client is discarded.
  const onError = (error: Error) => {
    broken ??= error;
  };
  client.on("error", onError);
  try {
    const results = await new Promise<Results>((resolve, reject) => {
      client.query(new Pipeline(statements, (error, result) => (error ? reject(error) : resolve(result))));
    });
    return (Array.isArray(results) ? results : [results]).map((result) => result.rows);
  } catch (error) {
    // Not handed out again: a failed statement made the server skip the Parse messages after it.
    broken = error as Error;
    throw error;
  } finally {
    client.removeListener("error", onError);
    client.release(broken);
  }
}
