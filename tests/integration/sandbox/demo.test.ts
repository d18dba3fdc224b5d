import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { DESKTOP_CHROME_UA } from "../../fakes/shopify/app-proxy";
import { chromiumMissing, launchChromium } from "../../support/browser";

/**
 * `npm run demo` as a newcomer runs it: a child process, its DEMO line checked against the
 * database it leaves behind, and its admin opened in Chromium.
 */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function runDemo(args: string[], port: number, onLine?: (line: string) => void) {
  const child = spawn("npx", ["--no-install", "tsx", "sandbox/demo.ts", "--quiet", ...args], {
    env: { ...process.env, PORT: String(port), NODE_ENV: "development" },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: npx and tsx start the demo as a grandchild, which a signal to the
    // npx process alone would leave running (and holding its port) after the tests.
    detached: true,
  });
  const lines: string[] = [];
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      onLine?.(line);
    }
  });
  child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return { child, lines, exited };
}

/** SQL against whichever database the demo used. */
async function demoDatabase() {
  if (!process.env.DATABASE_URL) {
    const db = new PGlite("data/sandbox");
    return { query: async (sql: string) => (await db.query<Record<string, unknown>>(sql)).rows, close: () => db.close() };
  }
  const url = new URL(process.env.DATABASE_URL);
  url.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: url.toString(), options: "-c search_path=rebound_sandbox" });
  await client.connect();
  return { query: async (sql: string) => (await client.query(sql)).rows, close: () => client.end() };
}

const count = async (db: Awaited<ReturnType<typeof demoDatabase>>, sql: string) => Number((await db.query(sql))[0].n);

describe("npm run demo", () => {
  let running: ReturnType<typeof runDemo> | undefined;
  afterAll(async () => {
    if (running?.child.pid !== undefined && running.child.exitCode === null) {
      try {
        process.kill(-running.child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await running?.exited;
  });

  it("plays the week, exits 0 and prints a DEMO line the database agrees with", async () => {
    const demo = runDemo(["--once"], await freePort());
    expect(await demo.exited).toBe(0);
    const last = demo.lines.filter((l) => l.trim()).at(-1) ?? "";
    expect(last.startsWith("DEMO ")).toBe(true);
    const summary = JSON.parse(last.slice(5));

    const db = await demoDatabase();
    try {
      const shop = `shop = '${summary.shop}'`;
      expect(summary.sent).toBe(await count(db, `SELECT count(*) AS n FROM "Notification" WHERE ${shop} AND "sentAt" IS NOT NULL`));
      expect(summary.delivered).toBe(await count(db, `SELECT count(*) AS n FROM "Notification" WHERE ${shop} AND "deliveredAt" IS NOT NULL`));
      expect(summary.read).toBe(await count(db, `SELECT count(*) AS n FROM "Notification" WHERE ${shop} AND "readAt" IS NOT NULL`));
      expect(summary.clicked).toBe(await count(db, `SELECT count(*) AS n FROM "Notification" WHERE ${shop} AND "clickedAt" IS NOT NULL`));
      expect(summary.optOuts).toBe(await count(db, `SELECT count(*) AS n FROM "ConsentEvent" WHERE ${shop} AND kind = 'opt_out'`));
      expect(summary.recoveredOrders).toBe(await count(db, `SELECT count(*) AS n FROM "Attribution" WHERE ${shop}`));
      expect(summary.webhooks).toBe(await count(db, `SELECT count(*) AS n FROM "WebhookReceipt" WHERE ${shop}`));
      // The flows' templates came from the library, submitted through the app and reviewed.
      expect(summary.templatesSubmitted).toBe(await count(db, `SELECT count(*) AS n FROM "MessageTemplate" WHERE ${shop} AND origin = 'library' AND "submittedAt" IS NOT NULL`));
      expect(summary.templatesApproved).toBe(await count(db, `SELECT count(*) AS n FROM "MessageTemplate" WHERE ${shop} AND origin = 'library' AND status = 'APPROVED'`));
      expect(summary.templatesSubmitted).toBe(45);
      expect(summary.templatesApproved).toBe(45);

      // Every flow did its job, and the week had the moments the sandbox promises.
      for (const flow of ["abandoned_cart", "back_in_stock", "reorder", "upsell", "promotion", "appointment"]) {
        expect(summary.byFlow[flow], flow).toBeGreaterThan(0);
      }
      expect(summary.optIns).toBeGreaterThan(10);
      expect(summary.optOuts).toBeGreaterThan(0);
      expect(summary.recoveredOrders).toBeGreaterThan(0);
      expect(summary.recoveredRevenue).toBeGreaterThan(0);
      expect(summary.blockedByPolicy).toBeGreaterThan(0);

      // A shopper who said stop heard nothing more.
      const afterStop = await count(
        db,
        `SELECT count(*) AS n FROM "Notification" n JOIN "ConsentEvent" e ON e."subscriberId" = n."subscriberId" AND e.kind = 'opt_out'
          WHERE n.${shop} AND n."sentAt" > e."occurredAt"`,
      );
      expect(afterStop).toBe(0);
    } finally {
      await db.close();
    }
  }, 240_000);

  it.skipIf(chromiumMissing())("keeps the admin open with the week's results on the dashboard", async () => {
    const port = await freePort();
    let ready: () => void = () => {};
    const open = new Promise<void>((resolve) => (ready = resolve));
    running = runDemo([], port, (line) => {
      if (line.includes("The admin is open")) ready();
    });
    await Promise.race([open, running.exited.then((code) => Promise.reject(new Error(`demo exited ${code}`)))]);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ userAgent: DESKTOP_CHROME_UA, viewport: { width: 1280, height: 1400 } });
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForURL(/\/app/);
      await page.getByText("Revenue").first().waitFor({ timeout: 30_000 });
      mkdirSync("tests/artifacts", { recursive: true });
      await page.screenshot({ path: "tests/artifacts/sandbox-dashboard.png", fullPage: true });
      const text = await page.locator("body").innerText();
      expect(text).toMatch(/Results by flow/);
      expect(text).toMatch(/Abandoned cart\s+[1-9]\d*/);
      expect(text).toMatch(/€[1-9][\d,]*\.\d{2}/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);
});
