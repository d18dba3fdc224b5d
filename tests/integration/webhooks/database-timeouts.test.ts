import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartPayload, cartToken, shopifyNumericId } from "../../fakes/shopify/payloads";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import prisma from "../../../app/db.server";
import { env } from "../../../app/env.server";

// Shopify gives a webhook 5 s. A statement stuck behind a lock that another connection holds
// must fail well inside that (Shopify retries a 5xx), and the server must serve again as soon as
// the lock goes. Only PostgreSQL has other connections to hold a lock; PGlite is one connection.
const onPostgres = Boolean(process.env.DATABASE_URL);
if (!onPostgres) console.log("database-timeouts: skipped on PGlite (one in-process connection). Set DATABASE_URL to run it.");

let server: TestServer;
let locker: pg.Client;
const shop = "timeouts.myshopify.com";

beforeAll(async () => {
  if (!onPostgres) return;
  server = await startTestServer();
  await prisma.shop.create({ data: { shop, settings: { create: {} } } });
  const url = new URL(process.env.DATABASE_URL!);
  const schema = url.searchParams.get("schema")!;
  url.searchParams.delete("schema");
  locker = new pg.Client({ connectionString: url.toString() });
  await locker.connect();
  await locker.query(`SET search_path TO "${schema}"`);
}, 180_000);

afterAll(async () => {
  await locker?.end();
  await server?.stop();
});

const cartWebhook = () =>
  sendWebhook(server.url, server.secret, {
    topic: "carts/update",
    shop,
    payload: cartPayload({ token: cartToken(), updatedAt: new Date(), lines: [{ variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Tea", quantity: 1, price: "8.00" }] }),
  });

describe.skipIf(!onPostgres)("database timeouts", () => {
  it("defaults stay below Shopify's 5 s", () => {
    expect(env().DATABASE_STATEMENT_TIMEOUT_MS).toBeLessThan(5_000);
    expect(env().DATABASE_LOCK_TIMEOUT_MS).toBeLessThan(5_000);
    expect(env().DATABASE_CONNECT_TIMEOUT_MS).toBeLessThan(5_000);
  });

  it("webhooks blocked by a lock answer 5xx within the timeout, and the server recovers when it is released", async () => {
    expect((await cartWebhook()).status).toBe(200);
    await locker.query("BEGIN");
    await locker.query(`LOCK TABLE "WebhookReceipt" IN ACCESS EXCLUSIVE MODE`);
    try {
      // More deliveries at once than the pool has connections: none may wait past Shopify's limit.
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 16 }, async () => {
          const t0 = Date.now();
          const response = await cartWebhook();
          return { status: response.status, ms: Date.now() - t0 };
        }),
      );
      console.log("blocked answers (ms):", answers.map((a) => `${a.status}:${a.ms}`).join(" "));
      for (const a of answers) {
        expect(a.status).toBeGreaterThanOrEqual(500);
        expect(a.ms).toBeLessThan(5_000);
      }
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await locker.query("ROLLBACK");
    }
    const after = await cartWebhook();
    expect(after.status).toBe(200);
    expect(await prisma.webhookReceipt.count({ where: { shop } })).toBe(2);
  }, 60_000);

  it("a query the ORM runs behind a row lock fails with lock_timeout's code and the next one works", async () => {
    await locker.query("BEGIN");
    await locker.query(`SELECT 1 FROM "Shop" WHERE shop = $1 FOR UPDATE`, [shop]);
    const started = Date.now();
    try {
      const error = await prisma.shop.update({ where: { shop }, data: { timezone: "Europe/Madrid" } }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).not.toBeNull();
      expect(Date.now() - started).toBeLessThan(env().DATABASE_LOCK_TIMEOUT_MS + 1_500);
      expect(JSON.stringify(error)).toContain("55P03");
    } finally {
      await locker.query("ROLLBACK");
    }
    await prisma.shop.update({ where: { shop }, data: { timezone: "Europe/Madrid" } });
  }, 30_000);
});
