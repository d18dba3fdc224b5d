import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipeline } from "../../../app/db/pipeline.server";

/** The PostgreSQL wire pipeline (PGlite runs batches as an ordinary transaction). One connection, so "not beyond" is the same session. */
const url = process.env.DATABASE_URL;
const schema = `pipe_${process.pid}_${randomBytes(3).toString("hex")}`;
let pool: pg.Pool;

describe.skipIf(!url)("pipelined statements (PostgreSQL only: DATABASE_URL is unset)", () => {
  beforeAll(async () => {
    const base = new URL(url!);
    base.searchParams.delete("schema");
    pool = new pg.Pool({ connectionString: base.toString(), max: 1, options: `-c search_path="${schema}"` });
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await pool.query(`CREATE TABLE "${schema}".t (id text PRIMARY KEY, n integer NOT NULL)`);
  });
  afterAll(async () => {
    await pool?.query(`DROP SCHEMA "${schema}" CASCADE`);
    await pool?.end();
  });

  it("returns each statement's rows, in order, with parameters of each", async () => {
    const rows = await pipeline(pool, [
      { text: "INSERT INTO t (id, n) VALUES ($1, $2) RETURNING id", values: ["a", 1] },
      { text: "SELECT n, CAST($1 AS boolean) AS flag FROM t WHERE id = $2", values: [true, "a"] },
    ]);
    expect(rows).toEqual([[{ id: "a" }], [{ n: 1, flag: true }]]);
  });

  it("is one transaction: a failing statement undoes the ones before it, and the connection stays usable", async () => {
    await expect(
      pipeline(pool, [
        { text: "INSERT INTO t (id, n) VALUES ($1, $2)", values: ["b", 1] },
        { text: "INSERT INTO t (id, n) VALUES ($1, $2)", values: ["b", 2] },
      ]),
    ).rejects.toThrow(/duplicate key/);
    expect((await pool.query("SELECT count(*)::int AS n FROM t WHERE id = 'b'")).rows).toEqual([{ n: 0 }]);
    expect(await pipeline(pool, [{ text: "SELECT CAST($1 AS integer) AS one", values: [1] }])).toEqual([[{ one: 1 }]]);
  });

  it("keeps a transaction-local setting from one statement to the next, and not beyond", async () => {
    const [, [seen]] = await pipeline(pool, [
      { text: "SELECT set_config('rebound.pipeline_test', $1, true)", values: ["yes"] },
      { text: "SELECT current_setting('rebound.pipeline_test', true) AS value", values: [] },
    ]);
    expect(seen).toEqual({ value: "yes" });
    const after = await pool.query("SELECT coalesce(current_setting('rebound.pipeline_test', true), '') AS value");
    expect(after.rows).toEqual([{ value: "" }]);
  });

  it("prepares a statement once per connection, and after an error starts from a fresh connection", async () => {
    const count = { text: "SELECT count(*)::int AS n FROM t WHERE n >= $1", values: [0] };
    await pipeline(pool, [count]);
    await pipeline(pool, [count]);
    const prepared = () =>
      pipeline(pool, [{ text: "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1", values: [count.text] }]);
    expect(await prepared()).toEqual([[{ n: 1 }]]);
    await expect(pipeline(pool, [{ text: "SELECT 1 / $1::int", values: [0] }, count])).rejects.toThrow(/division by zero/);
    // The count statement's Parse was skipped after the error; a reused connection would not know.
    expect(await pipeline(pool, [count])).toEqual([[{ n: 1 }]]);
    expect(await prepared()).toEqual([[{ n: 1 }]]);
  });

  it("survives its connection being ended while it holds it, and does not hand that connection out again", async () => {
    // As when the server ends the session (pg_terminate_backend) right after answering: the
    // client reports it as an 'error' event before the pipeline has released it.
    const [[{ pid }]] = (await pipeline(pool, [{ text: "SELECT pg_backend_pid() AS pid", values: [] }])) as [[{ pid: number }]];
    const held = await pool.connect();
    const query = held.query.bind(held) as (q: unknown) => unknown;
    (held as unknown as { query: (q: { callback: (...a: unknown[]) => void }) => unknown }).query = (q) => {
      const done = q.callback;
      q.callback = (...args) => {
        held.emit("error", new Error("terminating connection due to administrator command"));
        done(...args);
      };
      return query(q);
    };
    held.release();
    expect(await pipeline(pool, [{ text: "SELECT CAST($1 AS integer) AS one", values: [1] }])).toEqual([[{ one: 1 }]]);
    const [[after]] = (await pipeline(pool, [{ text: "SELECT pg_backend_pid() AS pid", values: [] }])) as [[{ pid: number }]];
    expect(after.pid).not.toBe(pid);
  });

  it("refuses a parameter it cannot send as text instead of guessing", async () => {
    await expect(pipeline(pool, [{ text: "SELECT $1", values: [[1, 2]] }])).rejects.toThrow(/unsupported SQL parameter/);
  });
});
