import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import * as log from "../../../app/admin/message-log.server";

/**
 * The message log pages by keyset on (createdAt, id) within one shop. With 100,000 rows it must
 * return any page quickly, never skip or repeat a row (many rows share a timestamp), and never
 * show another shop's rows.
 */
const A = "log-a.myshopify.com";
const B = "log-b.myshopify.com";
const ROWS = 100_000;

const database = useTestDatabase();

beforeAll(async () => {
  const { prisma } = database;
  const base = new Date("2026-10-01T00:00:00Z");
  // Two rows per second, so half the page boundaries fall between rows with equal createdAt.
  await prisma.$executeRaw`
    INSERT INTO "Notification" (id, shop, flow, "dedupKey", status, "sendAt", "templateName", "createdAt", "updatedAt")
    SELECT 'n' || lpad(g::text, 6, '0'), ${A}, (ARRAY['abandoned_cart','back_in_stock','reorder']::"Flow"[])[1 + g % 3],
           'k' || g, (CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'delivered' END)::"NotificationStatus",
           ${base}::timestamptz + make_interval(secs => g / 2), 'cart_reminder',
           ${base}::timestamptz + make_interval(secs => g / 2), now()
      FROM generate_series(1, ${ROWS}::int) g`;
  await prisma.$executeRaw`
    INSERT INTO "Notification" (id, shop, flow, "dedupKey", status, "sendAt", "templateName", "createdAt", "updatedAt")
    SELECT 'b' || g, ${B}, 'abandoned_cart', 'k' || g, 'sent', ${base}::timestamptz + make_interval(secs => g), 'cart_reminder',
           ${base}::timestamptz + make_interval(secs => g), now()
      FROM generate_series(1, 1000) g`;
  await prisma.$executeRawUnsafe(`ANALYZE "Notification"`);
}, 120_000);

const query = (params: Record<string, string>) => log.parseMessageQuery(new URLSearchParams(params));

describe("message log pagination", () => {
  it("walks forward and back without gaps or repeats, newest first, one shop only", async () => {
    const expected = (
      await database.prisma.notification.findMany({
        where: { shop: A },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: 150,
        select: { id: true },
      })
    ).map((r) => r.id);

    const first = await log.listMessages(A, query({}));
    expect(first.previous).toBeNull();
    const second = await log.listMessages(A, query({ after: first.next! }));
    const third = await log.listMessages(A, query({ after: second.next! }));
    expect([...first.items, ...second.items, ...third.items].map((m) => m.id)).toEqual(expected);

    const back = await log.listMessages(A, query({ before: third.previous! }));
    expect(back.items.map((m) => m.id)).toEqual(second.items.map((m) => m.id));
    for (const page of [first, second, third]) expect(page.items.every((m) => m.id.startsWith("n"))).toBe(true);
  });

  it("filters by status, flow and day", async () => {
    const failed = await log.listMessages(A, query({ status: "failed", flow: "reorder" }));
    expect(failed.items.length).toBe(50);
    expect(failed.items.every((m) => m.status === "failed" && m.flow === "reorder")).toBe(true);
    const day = await log.listMessages(A, query({ from: "2026-10-01", to: "2026-10-01" }));
    expect(day.items.every((m) => m.createdAt.startsWith("2026-10-01"))).toBe(true);
    // A tampered cursor or an unknown filter value is the first page, not an error.
    const junk = await log.listMessages(A, query({ after: "not-a-cursor", status: "bogus" }));
    expect(junk.items[0].id).toBe(first50Id());
  });

  it("serves a page deep in 100,000 rows quickly, through the (shop, createdAt) index", async () => {
    let page = await log.listMessages(A, query({}));
    for (let i = 0; i < 5; i++) page = await log.listMessages(A, query({ after: page.next! }));
    const middle = new Date("2026-10-01T00:00:00Z").getTime() + (ROWS / 4) * 1000;
    const cursor = Buffer.from(JSON.stringify({ t: new Date(middle).toISOString(), i: "n050000" })).toString("base64url");
    const started = performance.now();
    const deep = await log.listMessages(A, query({ after: cursor }));
    const elapsed = performance.now() - started;
    expect(deep.items).toHaveLength(50);
    expect(deep.items[0].id < "n050000").toBe(true);
    expect(elapsed).toBeLessThan(1000);

    const plan = await database.prisma.$queryRawUnsafe<Array<{ "QUERY PLAN": string }>>(
      `EXPLAIN SELECT id FROM "Notification"
        WHERE shop = $1 AND ("createdAt" < $2 OR ("createdAt" = $2 AND id < $3))
        ORDER BY "createdAt" DESC, id DESC LIMIT 51`,
      A, new Date(middle), "n050000",
    );
    expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(/Index.*Notification_shop_createdAt_idx/);
  });
});

function first50Id() {
  // Newest row of shop A: the highest series number.
  return `n${String(ROWS).padStart(6, "0")}`;
}
