import { describe, expect, it } from "vitest";
import { groupedWrites } from "../../../app/shared/grouped-writes";

describe("groupedWrites", () => {
  it("writes a lone item at once and groups what arrives during a write, re-queuing first what must go again", async () => {
    const groups: number[][] = [];
    let release: () => void = () => {};
    const retried = new Set<number>();
    const enqueue = groupedWrites<number>(async (group) => {
      groups.push(group);
      if (groups.length === 1) await new Promise<void>((resolve) => (release = resolve));
      // 3 must go again once, ahead of what queued meanwhile.
      const again = group.filter((n) => n === 3 && !retried.has(n));
      again.forEach((n) => retried.add(n));
      return again;
    }, 2);
    enqueue(1);
    for (const n of [2, 3, 4]) enqueue(n);
    expect(groups).toEqual([[1]]);
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(groups).toEqual([[1], [2, 3], [3, 4]]);
  });

  it("with several writers, starts one per item until all are busy, then groups behind them", async () => {
    const groups: number[][] = [];
    const releases: Array<() => void> = [];
    const enqueue = groupedWrites<number>(async (group) => {
      groups.push(group);
      await new Promise<void>((resolve) => releases.push(resolve));
    }, 10, 2);
    for (const n of [1, 2, 3, 4, 5]) enqueue(n);
    expect(groups).toEqual([[1], [2]]);
    releases[0]();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(groups).toEqual([[1], [2], [3, 4, 5]]);
    enqueue(6);
    releases[1]();
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Both writers were busy: 6 waited for the first one free.
    expect(groups).toEqual([[1], [2], [3, 4, 5], [6]]);
    releases.slice(2).forEach((release) => release());
  });
});
