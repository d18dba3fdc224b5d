import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { testKind, testTaskRegistry } from "../../support/task-registry";
import * as queue from "../../../app/tasks/queue.server";
import * as runner from "../../../app/tasks/runner.server";
const testTasks = testTaskRegistry();

const db = useTestDatabase();

const LEASE_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Another runner polling the same queue until `done` settles, as a second worker process would. */
async function rival(owner: string, done: Promise<unknown>) {
  let finished = false;
  void done.finally(() => (finished = true));
  let claimed = 0;
  while (!finished) {
    claimed += await runner.runDueTasks(owner, testTasks.registry, { leaseMs: LEASE_MS });
    await sleep(40);
  }
  return claimed;
}

describe("task leases", () => {
  it("a task slower than its lease runs exactly once while another runner polls", async () => {
    const shop = "lease-slow.myshopify.com";
    const runs: string[] = [];
    testTasks.on("test.slow", async (task) => {
      runs.push(task.id);
      await sleep(LEASE_MS * 5);
    });
    // Two tasks in one batch: the second waits behind the first, its lease kept alive too.
    await queue.enqueueTask({ shop, kind: testKind("test.slow"), dedupKey: "a" });
    await queue.enqueueTask({ shop, kind: testKind("test.slow"), dedupKey: "b" });
    const first = runner.runDueTasks("runner-a", testTasks.registry, { leaseMs: LEASE_MS, batchSize: 2 });
    const claimedByRival = await rival("runner-b", first);
    expect(await first).toBe(2);
    expect(claimedByRival).toBe(0);
    expect(runs).toHaveLength(2);
    expect(new Set(runs).size).toBe(2);
    const tasks = await db.prisma.task.findMany({ where: { shop } });
    expect(tasks.map((t) => [t.status, t.attempts, t.leaseOwner])).toEqual([
      ["done", 1, null],
      ["done", 1, null],
    ]);
  });

  it("stops renewing when the task ends: a crashed runner's task comes back one lease later", async () => {
    const shop = "lease-crash.myshopify.com";
    await queue.enqueueTask({ shop, kind: testKind("test.crash") });
    // Claimed by a runner that then died (never ran it): nothing renews the lease.
    await queue.claimTasks("dead-runner", 10, LEASE_MS, new Date());
    let ran = 0;
    testTasks.on("test.crash", async () => {
      ran++;
    });
    expect(await runner.runDueTasks("runner-c", testTasks.registry, { leaseMs: LEASE_MS })).toBe(0);
    await sleep(LEASE_MS + 100);
    expect(await runner.runDueTasks("runner-c", testTasks.registry, { leaseMs: LEASE_MS })).toBe(1);
    expect(ran).toBe(1);
    const row = await db.prisma.task.findFirstOrThrow({ where: { shop } });
    expect(row.status).toBe("done");
    // The finished batch renews nothing: its lease columns stay cleared.
    await sleep(LEASE_MS);
    expect((await db.prisma.task.findFirstOrThrow({ where: { shop } })).leaseUntil).toBeNull();
  });

  it("a runner whose task was taken over notices: the handler is told, and it records nothing", async () => {
    const shop = "lease-lost.myshopify.com";
    let aborted = false;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    testTasks.on("test.taken", async (_task, _clock, { signal }) => {
      started();
      for (let i = 0; i < 50 && !signal.aborted; i++) await sleep(LEASE_MS / 5);
      aborted = signal.aborted;
    });
    await queue.enqueueTask({ shop, kind: testKind("test.taken") });
    const run = runner.runDueTasks("runner-d", testTasks.registry, { leaseMs: LEASE_MS });
    await running;
    // Another runner took it over (say this one stalled past its lease): the next renewal finds out.
    await db.prisma.task.updateMany({ where: { shop }, data: { leaseOwner: "runner-e", leaseUntil: new Date(Date.now() + 60_000) } });
    await run;
    expect(aborted).toBe(true);
    const row = await db.prisma.task.findFirstOrThrow({ where: { shop } });
    expect(row).toMatchObject({ status: "running", leaseOwner: "runner-e" });
  });
});
