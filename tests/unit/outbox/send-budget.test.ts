import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import * as budget from "../../../app/outbox/send-budget.server";

const database = useTestDatabase();

let prisma: typeof import("../../../app/db.server").default;

beforeAll(async () => {
  prisma = database.prisma;
});

/** Two dispatcher processes on one clock: sleeping moves the clock to when the sleeper wakes. */
function twoWorkers(start: number) {
  let now = start;
  const slept: number[] = [];
  const options = {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
  return { a: new budget.SharedSendBudget(options), b: new budget.SharedSendBudget(options), slept, at: () => now };
}

describe("a phone number's send budget shared between dispatchers", () => {
  it("grants at most the number's rate per second across workers, then waits for the next second", async () => {
    const T = Date.UTC(2026, 5, 1, 12, 0, 0, 250);
    const { a, b, slept, at } = twoWorkers(T);
    // 40 per second: each reservation asks for 2, so the workers interleave.
    for (let i = 0; i < 20; i++) {
      await a.take("9001", 40);
      await b.take("9001", 40);
    }
    expect(slept).toEqual([]);
    const [row] = await prisma.rateCounter.findMany({ where: { key: "send:9001" } });
    expect(row).toMatchObject({ windowStart: new Date(T - 250), count: 40 });

    await a.take("9001", 40);
    expect(slept).toEqual([750]);
    expect(at()).toBe(T + 750);
    const windows = await prisma.rateCounter.findMany({ where: { key: "send:9001" }, orderBy: { windowStart: "asc" } });
    expect(windows.map((w) => [w.windowStart.getTime() - (T - 250), w.count])).toEqual([[0, 42], [1000, 2]]);
  });

  it("keeps numbers apart, and forgets seconds older than a minute", async () => {
    const T = Date.UTC(2026, 5, 1, 13, 0, 0, 0);
    const { a } = twoWorkers(T);
    await a.take("9002", 80);
    await a.take("9003", 80);
    const later = new budget.SharedSendBudget({ now: () => T + 61_000 });
    await later.take("9002", 80);
    const rows = await prisma.rateCounter.findMany({ where: { key: { in: ["send:9002", "send:9003"] } }, orderBy: { key: "asc" } });
    expect(rows.map((r) => [r.key, r.windowStart.getTime() - T])).toEqual([["send:9002", 61_000], ["send:9003", 0]]);
  });

  it("a worker arriving after the second is spent gets nothing from it", async () => {
    const start = new Date(Date.UTC(2026, 5, 1, 14, 0, 0));
    expect(await budget.reserveSendSlots("9004", start, 6, 10)).toBe(6);
    expect(await budget.reserveSendSlots("9004", start, 6, 10)).toBe(4);
    expect(await budget.reserveSendSlots("9004", start, 6, 10)).toBe(0);
  });

  it("paces the process on its own while the database cannot be reached", async () => {
    const taken: string[] = [];
    const pacer = new budget.SharedSendBudget({
      reserve: async () => {
        throw new Error("Connection terminated unexpectedly");
      },
      fallback: { take: async (phone) => void taken.push(phone) },
    });
    const warn = console.warn;
    console.warn = () => {};
    try {
      await pacer.take("9005", 80);
      await pacer.take("9005", 80);
    } finally {
      console.warn = warn;
    }
    expect(taken).toEqual(["9005", "9005"]);
  });
});
