import { Prisma } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { createGroupCommit } from "../../../app/webhooks/group-commit.server";

/** A run that records each transaction's statements and answers each statement with its text. */
function recordingRun(options: { failOn?: string; hold?: boolean } = {}) {
  const transactions: string[][] = [];
  const releases: Array<() => void> = [];
  const run = async (statements: Prisma.Sql[]) => {
    const texts = statements.map((s) => s.sql);
    transactions.push(texts);
    if (options.hold && transactions.length === 1) await new Promise<void>((resolve) => releases.push(resolve));
    if (options.failOn && texts.includes(options.failOn)) throw Object.assign(new Error("boom"), { code: "22003" });
    return texts.map((text) => [{ text }]);
  };
  return { run, transactions, release: () => releases.forEach((r) => r()) };
}

const delivery = (key: string, ...texts: string[]) => ({ key, statements: texts.map((t) => Prisma.raw(t)) });

describe("group commit", () => {
  it("commits what arrives while the writer is busy as one transaction, in key order, answering each with its own rows", async () => {
    const { run, transactions, release } = recordingRun({ hold: true });
    const commit = createGroupCommit(run, { writers: 1 });
    const first = commit(delivery("a", "first"));
    const rest = [commit(delivery("c", "c1", "c2")), commit(delivery("b", "b1"))];
    release();
    await expect(first).resolves.toEqual([[{ text: "first" }]]);
    await expect(Promise.all(rest)).resolves.toEqual([[[{ text: "c1" }], [{ text: "c2" }]], [[{ text: "b1" }]]]);
    expect(transactions).toEqual([["first"], ["b1", "c1", "c2"]]);
  });

  it("never puts two deliveries of one key in one transaction", async () => {
    const { run, transactions, release } = recordingRun({ hold: true });
    const commit = createGroupCommit(run, { writers: 1 });
    const all = [commit(delivery("x", "x0")), commit(delivery("x", "x1")), commit(delivery("y", "y1")), commit(delivery("x", "x2"))];
    release();
    await Promise.all(all);
    expect(transactions).toEqual([["x0"], ["x1", "y1"], ["x2"]]);
  });

  it("runs a failed group's deliveries again one by one, so only the bad one fails", async () => {
    const { run, transactions, release } = recordingRun({ hold: true, failOn: "bad" });
    const commit = createGroupCommit(run, { writers: 1 });
    const first = commit(delivery("a", "first"));
    const good = commit(delivery("b", "good"));
    const bad = commit(delivery("c", "bad"));
    release();
    await first;
    await expect(good).resolves.toEqual([[{ text: "good" }]]);
    await expect(bad).rejects.toThrow("boom");
    expect(transactions).toEqual([["first"], ["good", "bad"], ["good"], ["bad"]]);
  });
});
