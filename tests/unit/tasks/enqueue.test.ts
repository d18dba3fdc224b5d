import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { testKind } from "../../support/task-registry";

const db = useTestDatabase();

let queue: typeof import("../../../app/tasks/queue.server");
let pipelined: typeof import("../../../app/tasks/pipelined.server");
let carried: typeof import("../../../app/db/carried.server");
let sqlBatch: typeof import("../../../app/db.server").sqlBatch;
let Prisma: typeof import("@prisma/client").Prisma;

beforeAll(async () => {
  queue = await import("../../../app/tasks/queue.server");
  pipelined = await import("../../../app/tasks/pipelined.server");
  carried = await import("../../../app/db/carried.server");
  sqlBatch = (await import("../../../app/db.server")).sqlBatch;
  Prisma = (await import("@prisma/client")).Prisma;
}, 60_000);

const kind = testKind("test.enqueue");
const rows = (shop: string) => db.prisma.task.findMany({ where: { shop }, orderBy: { dedupKey: "asc" } });

describe("enqueueTask", () => {
  it("enqueues a dedup key once per shop, at its runAt, with its payload", async () => {
    const shop = "enqueue-once.myshopify.com";
    const runAt = new Date("2026-12-03T09:30:00.123Z");
    await queue.enqueueTask({ shop, kind, dedupKey: "k", payload: { n: 1 }, runAt });
    await queue.enqueueTask({ shop, kind, dedupKey: "k", payload: { n: 2 } });
    await queue.enqueueTask({ shop: "enqueue-other.myshopify.com", kind, dedupKey: "k" });
    await queue.enqueueTask({ shop, kind });
    const tasks = await rows(shop);
    expect(tasks.map((t) => [t.dedupKey, t.payload, t.status])).toEqual([
      ["k", { n: 1 }, "queued"],
      [null, {}, "queued"],
    ]);
    expect(tasks[0].runAt.toISOString()).toBe(runAt.toISOString());
  });

  it("cancels only the shop's queued tasks of the kind under the prefix", async () => {
    const shop = "enqueue-cancel.myshopify.com";
    for (const dedupKey of ["campaign:1:a", "campaign:1:b", "campaign:2:a"]) await queue.enqueueTask({ shop, kind, dedupKey });
    await queue.enqueueTask({ shop, kind: testKind("test.other"), dedupKey: "campaign:1:c" });
    await db.prisma.task.updateMany({ where: { shop, dedupKey: "campaign:1:b" }, data: { status: "running" } });
    expect((await queue.cancelQueuedTasks(shop, kind, "campaign:1:")).count).toBe(1);
    expect((await rows(shop)).map((t) => [t.dedupKey, t.status, t.lastError])).toEqual([
      ["campaign:1:a", "done", "cancelled"],
      ["campaign:1:b", "running", null],
      ["campaign:1:c", "queued", null],
      ["campaign:2:a", "queued", null],
    ]);
  });

  it("purges finished tasks older than the cutoff, never queued or running ones", async () => {
    const shop = "enqueue-purge.myshopify.com";
    const old = new Date("2026-10-01T00:00:00Z");
    for (const [dedupKey, status] of [["done", "done"], ["failed", "failed"], ["queued", "queued"], ["running", "running"]] as const) {
      await queue.enqueueTask({ shop, kind, dedupKey });
      await db.prisma.$executeRaw`UPDATE "Task" SET status = CAST(${status} AS "TaskStatus"), "updatedAt" = ${old} WHERE shop = ${shop} AND "dedupKey" = ${dedupKey}`;
    }
    await queue.enqueueTask({ shop, kind, dedupKey: "recent" });
    await db.prisma.task.updateMany({ where: { shop, dedupKey: "recent" }, data: { status: "done" } });
    expect(await queue.purgeFinishedTasks(new Date("2026-11-01T00:00:00Z"), 100)).toBe(2);
    expect((await rows(shop)).map((t) => t.dedupKey)).toEqual(["queued", "recent", "running"]);
  });
});

describe("tasks a pipelined statement leaves", () => {
  it("enqueues what the statement before left, and nothing a delivery before it left", async () => {
    const shop = "enqueue-left.myshopify.com";
    const want = (dedupKey: string, n: number) => Prisma.sql`CAST(${JSON.stringify([{ kind, payload: { n }, dedupKey }])} AS jsonb)`;
    const leave = (json: import("@prisma/client").Prisma.Sql) => Prisma.sql`SELECT ${carried.leaveJson(pipelined.PENDING_TASKS, json)} AS pending`;
    const other = "enqueue-left-other.myshopify.com";
    // Three deliveries in one transaction, as a group commit sends them: the second (another
    // shop's) wants nothing (NULL), the third repeats the first's key.
    await sqlBatch([
      leave(want("a", 1)),
      pipelined.enqueueLeftTasks(shop),
      leave(Prisma.sql`NULL`),
      pipelined.enqueueLeftTasks(other),
      leave(want("a", 3)),
      pipelined.enqueueLeftTasks(shop),
    ]);
    expect((await rows(shop)).map((t) => [t.kind, t.dedupKey, t.payload, t.status])).toEqual([["test.enqueue", "a", { n: 1 }, "queued"]]);
    expect(await rows(other)).toEqual([]);
  });

  it("raises a flag for the statements after it, and lowers it again", async () => {
    const flag = carried.carried<boolean>("test_flag");
    const read = Prisma.sql`SELECT ${carried.flagRaised(flag)} AS raised`;
    const results = await sqlBatch([
      read,
      Prisma.sql`SELECT ${carried.leaveFlag(flag, Prisma.sql`1 = 1`)} AS left`,
      read,
      Prisma.sql`SELECT ${carried.leaveFlag(flag, Prisma.sql`1 = 0`)} AS left`,
      read,
    ]);
    expect([results[0], results[2], results[4]].map((r) => (r as Array<{ raised: boolean }>)[0].raised)).toEqual([false, true, false]);
    // Transaction-local: the next transaction starts without it.
    expect(((await sqlBatch([read]))[0] as Array<{ raised: boolean }>)[0].raised).toBe(false);
  });
});
