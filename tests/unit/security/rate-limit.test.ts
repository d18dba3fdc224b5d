import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import * as limiter from "../../../app/security/rate-limit.server";

const database = useTestDatabase();

let prisma: typeof import("../../../app/db.server").default;

beforeAll(async () => {
  prisma = database.prisma;
});

describe("hitRateLimit", () => {
  it("counts concurrent hits exactly and resets with the next window", async () => {
    const rule = { key: "test:ip:1", limit: 10, windowMs: 60_000 };
    const now = new Date(Date.UTC(2026, 10, 20, 10, 0, 30));
    const results = await Promise.all(Array.from({ length: 25 }, () => limiter.hitRateLimit(rule, now)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(results.find((r) => !r.allowed)!.retryAfter).toBe(30);
    const next = await limiter.hitRateLimit(rule, new Date(now.getTime() + 30_000));
    expect(next).toMatchObject({ allowed: true, count: 1 });
    expect(await limiter.pruneRateCounters(new Date(now.getTime() + 30_000))).toBe(1);
    expect(await prisma.rateCounter.count({ where: { key: rule.key } })).toBe(1);
  });

  it("clears windows older than a day as it goes", async () => {
    const now = new Date(Date.UTC(2026, 10, 22, 10, 0, 0));
    for (let i = 0; i < 5; i++) {
      await limiter.hitRateLimit({ key: `old:${i}`, limit: 1, windowMs: 60_000 }, new Date(now.getTime() - 2 * 86_400_000));
    }
    await limiter.hitRateLimits([{ key: "fresh", limit: 5, windowMs: 60_000 }], now);
    expect(await prisma.rateCounter.count({ where: { key: { startsWith: "old:" } } })).toBe(0);
    expect(await prisma.rateCounter.count({ where: { key: "fresh" } })).toBe(1);
  });
});
