import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { testKind, testTaskRegistry } from "../../support/task-registry";
import * as queue from "../../../app/tasks/queue.server";
import * as runner from "../../../app/tasks/runner.server";
const testTasks = testTaskRegistry();

useTestDatabase();

describe("task runner wake-up", () => {
  it("runs a task enqueued after it went idle as soon as it is woken, not after the idle wait", async () => {
    const ran: number[] = [];
    testTasks.on("test.wake", async () => {
      ran.push(performance.now());
    });
    const started = runner.startTaskRunner(testTasks.registry, { idleMs: 60_000 });
    try {
      // Let the first poll find nothing and the runner settle into its (long) idle wait.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await queue.enqueueTask({ shop: "wake.myshopify.com", kind: testKind("test.wake") });
      const woken = performance.now();
      runner.wakeTaskRunners();
      const deadline = woken + 5_000;
      while (ran.length === 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(ran).toHaveLength(1);
      expect(ran[0] - woken).toBeLessThan(1_000);
    } finally {
      await started.stop();
    }
  });

  it("a wake-up during a poll polls again instead of waiting out the idle time", async () => {
    const ran: string[] = [];
    testTasks.on("test.wake_during", async (task) => {
      ran.push(task.id);
      // Enqueued and announced while this poll is still running: the poll's claim cannot see it.
      if (ran.length === 1) {
        await queue.enqueueTask({ shop: "wake.myshopify.com", kind: testKind("test.wake_during"), dedupKey: "second" });
        runner.wakeTaskRunners();
      }
    });
    await queue.enqueueTask({ shop: "wake.myshopify.com", kind: testKind("test.wake_during"), dedupKey: "first" });
    const started = runner.startTaskRunner(testTasks.registry, { idleMs: 60_000 });
    try {
      const deadline = performance.now() + 5_000;
      while (ran.length < 2 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(ran).toHaveLength(2);
    } finally {
      await started.stop();
    }
  });
});
