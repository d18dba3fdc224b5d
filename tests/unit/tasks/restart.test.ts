import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { testKind, testTaskRegistry } from "../../support/task-registry";
import * as queue from "../../../app/tasks/queue.server";
import * as runner from "../../../app/tasks/runner.server";
const testTasks = testTaskRegistry();

const db = useTestDatabase();
const SHOP = "restart.myshopify.com";

const task = (dedupKey: string) => db.prisma.task.findUniqueOrThrow({ where: { shop_dedupKey: { shop: SHOP, dedupKey } } });

describe("enqueueOrRestartTask", () => {
  it("enqueues once, leaves a queued or running task alone, and restarts a finished one from its first attempt", async () => {
    const now = new Date("2026-12-03T09:00:00Z");
    await queue.enqueueOrRestartTask({ shop: SHOP, kind: testKind("test.restart"), dedupKey: "k1", runAt: now });
    await queue.enqueueOrRestartTask({ shop: SHOP, kind: testKind("test.restart"), dedupKey: "k1", runAt: new Date(now.getTime() + 60_000) });
    expect(await db.prisma.task.count({ where: { shop: SHOP, dedupKey: "k1" } })).toBe(1);
    expect((await task("k1")).runAt.toISOString()).toBe(now.toISOString());

    await db.prisma.task.update({ where: { id: (await task("k1")).id }, data: { status: "running", attempts: 3 } });
    await queue.enqueueOrRestartTask({ shop: SHOP, kind: testKind("test.restart"), dedupKey: "k1", runAt: now });
    expect(await task("k1")).toMatchObject({ status: "running", attempts: 3 });

    for (const finished of ["done", "failed"] as const) {
      await db.prisma.task.update({ where: { id: (await task("k1")).id }, data: { status: finished, attempts: 8, lastError: "boom" } });
      const later = new Date(now.getTime() + 3_600_000);
      await queue.enqueueOrRestartTask({ shop: SHOP, kind: testKind("test.restart"), dedupKey: "k1", runAt: later });
      expect(await task("k1")).toMatchObject({ status: "queued", attempts: 0, lastError: null, runAt: later });
    }
  });
});

describe("a handler's own maxAttempts", () => {
  it("keeps retrying past the queue's default of 8, then gives up at its own limit", async () => {
    testTasks.on("test.stubborn", async () => {
      throw new Error("still down");
    }, { maxAttempts: 10 });
    await queue.enqueueOrRestartTask({ shop: SHOP, kind: testKind("test.stubborn"), dedupKey: "stubborn", runAt: new Date("2026-12-03T09:00:00Z") });
    let at = new Date("2026-12-03T09:00:00Z");
    for (let attempt = 1; attempt <= 10; attempt++) {
      at = new Date(Math.max(at.getTime(), (await task("stubborn")).runAt.getTime()));
      await runner.runDueTasks("restart-test", testTasks.registry, { clock: { now: () => at } });
      expect(await task("stubborn")).toMatchObject({ attempts: attempt, status: attempt < 10 ? "queued" : "failed" });
    }
  });
});
