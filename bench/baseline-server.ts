/**
 * The ingest baseline: a bare node:http server doing the least a correct webhook endpoint must
 * do (read the body, verify Shopify's HMAC in constant time, parse the JSON, write one row keyed
 * by the event id) against the same database as the app, with the same pool size. The app's
 * ingest rate is reported as a share of this one's.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { serveCommands } from "./child";

type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

let server: http.Server | undefined;
let close: () => Promise<void> = async () => {};

const TABLE = `CREATE TABLE IF NOT EXISTS bench_ingest (
  event_id text PRIMARY KEY, shop text NOT NULL, topic text NOT NULL, body jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now())`;

async function open(args: Record<string, unknown>): Promise<Query> {
  if (args.database === "pglite") {
    const db = new PGlite("memory://");
    close = () => db.close();
    return (sql, params) => db.query(sql, params);
  }
  const pool = new pg.Pool({ connectionString: args.url as string, max: 10, options: `-c search_path="${args.schema as string}"` });
  pool.on("error", () => {});
  close = () => pool.end();
  return (sql, params) => pool.query(sql, params);
}

function verified(body: Buffer, header: string | undefined, secret: string) {
  if (!header) return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  const given = Buffer.from(header, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

serveCommands({
  async start(args) {
    const query = await open(args);
    await query(TABLE);
    const secret = args.secret as string;
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const reply = (status: number, payload: unknown) => {
          res.writeHead(status, { "Content-Type": "application/json" });
          res.end(JSON.stringify(payload));
        };
        if (!verified(body, req.headers["x-shopify-hmac-sha256"] as string | undefined, secret)) return reply(401, { error: "bad hmac" });
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString("utf8"));
        } catch {
          return reply(400, { error: "body is not JSON" });
        }
        query(
          "INSERT INTO bench_ingest (event_id, shop, topic, body) VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING",
          [req.headers["x-shopify-event-id"], req.headers["x-shopify-shop-domain"], req.headers["x-shopify-topic"], parsed],
        ).then(
          () => reply(200, { ok: true }),
          (error: unknown) => reply(500, { error: error instanceof Error ? error.message : "error" }),
        );
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  },
  async stop() {
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await close();
    setTimeout(() => process.exit(0), 10);
    return null;
  },
});
