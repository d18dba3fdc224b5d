import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import * as claim from "../../../app/outbox/claim.server";

const database = useTestDatabase();

let prisma: typeof import("../../../app/db.server").default;
const shop = "claim.myshopify.com";
const T0 = new Date("2026-06-10T10:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

beforeAll(async () => {
  prisma = database.prisma;
});

let n = 0;
async function row(data: Partial<{ sendAt: Date; status: "scheduled" | "sending" | "sent"; leaseOwner: string; leaseUntil: Date; subscriberId: string; sentAt: Date; flow: "promotion" | "appointment" }> = {}) {
  n++;
  return prisma.notification.create({
    data: { shop, flow: data.flow ?? "promotion", dedupKey: `k${n}`, templateName: "t", sendAt: data.sendAt ?? T0, ...data },
  });
}

describe("claiming the outbox", () => {
  it("claims due rows once, leaves future ones, and marks them sending under a lease", async () => {
    await prisma.notification.deleteMany({ where: { shop } });
    const due = await row({ sendAt: at(-1000) });
    const future = await row({ sendAt: at(60_000) });
    const claimed = await claim.claimDue("w1", 10, 30_000, T0);
    expect(claimed.map((r) => r.id)).toEqual([due.id]);
    expect(claimed[0]).toMatchObject({ status: "sending", leaseOwner: "w1" });
    expect(new Date(claimed[0].leaseUntil!).toISOString()).toBe(at(30_000).toISOString());
    expect(await claim.claimDue("w2", 10, 30_000, T0)).toEqual([]);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: future.id } })).status).toBe("scheduled");
  });

  it("hands back a batch oldest due first, whatever order the rows were written in", async () => {
    await prisma.notification.deleteMany({ where: { shop } });
    // Written latest-due first, so the table's physical order is the reverse of the due order.
    const written = [];
    for (let i = 40; i > 0; i--) written.push(await row({ sendAt: at(-i * 1000 + (i % 2 === 0 ? 0 : -500_000)) }));
    const claimed = await claim.claimDue("w", 100, 30_000, T0);
    const expected = [...written].sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime() || a.id.localeCompare(b.id));
    expect(claimed.map((r) => r.id)).toEqual(expected.map((r) => r.id));
  });

  it("takes over a dead worker's row after its lease, and the old owner can no longer write", async () => {
    await prisma.notification.deleteMany({ where: { shop } });
    const r = await row({ sendAt: at(-1000) });
    await claim.claimDue("dead", 10, 5_000, T0);
    expect(await claim.claimDue("w2", 10, 5_000, at(4_000))).toEqual([]);
    const retaken = await claim.claimDue("w2", 10, 5_000, at(6_000));
    expect(retaken.map((x) => x.id)).toEqual([r.id]);

    expect(await claim.markSent(r.id, "dead", { waMessageId: "wamid.old", at: at(6_100) })).toBe(false);
    expect(await claim.markFailed(r.id, "dead", { reason: "x", at: at(6_100) })).toBe(false);
    expect(await claim.defer(r.id, "dead", { until: at(99_000), reason: "x", at: at(6_100) })).toBe(false);
    expect(await claim.skip(r.id, "dead", "x", at(6_100))).toBe(false);
    expect(await claim.release([r.id], "dead", at(6_100))).toBe(0);

    expect(await claim.markSent(r.id, "w2", { waMessageId: "wamid.new", at: at(6_200) })).toBe(true);
    const after = await prisma.notification.findUniqueOrThrow({ where: { id: r.id } });
    expect(after).toMatchObject({ status: "sent", waMessageId: "wamid.new", leaseOwner: null, decision: "send", attempts: 1 });
    const events = await prisma.notificationEvent.findMany({ where: { notificationId: r.id } });
    expect(events.map((e) => e.kind)).toEqual(["sent"]);
  });

  it("defer, skip and release record the decision on the row and as an event", async () => {
    await prisma.notification.deleteMany({ where: { shop } });
    const a = await row({ sendAt: at(-3) });
    const b = await row({ sendAt: at(-2) });
    const c = await row({ sendAt: at(-1) });
    await claim.claimDue("w", 10, 5_000, T0);
    expect(await claim.defer(a.id, "w", { until: at(3_600_000), reason: "quiet_hours", at: T0 })).toBe(true);
    expect(await claim.skip(b.id, "w", "consent_unsubscribed", T0)).toBe(true);
    expect(await claim.release([c.id], "w", T0)).toBe(1);
    const state = async (id: string) => {
      const r = await prisma.notification.findUniqueOrThrow({ where: { id } });
      return [r.status, r.decision, r.decisionReason, r.leaseOwner];
    };
    expect(await state(a.id)).toEqual(["scheduled", "defer", "quiet_hours", null]);
    expect(await state(b.id)).toEqual(["skipped", "skip", "consent_unsubscribed", null]);
    expect(await state(c.id)).toEqual(["scheduled", null, null, null]);
    const kinds = await prisma.notificationEvent.findMany({ where: { shop, notificationId: { in: [a.id, b.id, c.id] } }, select: { kind: true, notificationId: true } });
    expect(kinds.map((k) => k.kind).sort()).toEqual(["deferred", "skipped"]);
    const deferred = await prisma.notification.findUniqueOrThrow({ where: { id: a.id } });
    expect(deferred.sendAt.toISOString()).toBe(at(3_600_000).toISOString());
  });

  it("a status webhook that moved the row on is kept when the send is recorded", async () => {
    await prisma.notification.deleteMany({ where: { shop } });
    const r = await row({ sendAt: at(-1) });
    await claim.claimDue("w", 10, 5_000, T0);
    await prisma.notification.update({ where: { id: r.id }, data: { status: "delivered", waMessageId: "wamid.x" } });
    expect(await claim.markSent(r.id, "w", { waMessageId: "wamid.x", at: T0 })).toBe(true);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: r.id } })).status).toBe("delivered");
  });

  it("records many sends in one statement with the same lease guard, status rule and events", async () => {
    await prisma.notification.deleteMany({ where: { shop } });
    const mine = await row({ sendAt: at(-3) });
    const moved = await row({ sendAt: at(-2) });
    const taken = await row({ sendAt: at(-1) });
    await claim.claimDue("w", 10, 5_000, T0);
    await prisma.notification.update({ where: { id: moved.id }, data: { status: "delivered" } });
    await prisma.notification.update({ where: { id: taken.id }, data: { leaseOwner: "other" } });
    const recorded = await claim.markSentMany(
      [
        { id: mine.id, waMessageId: "wamid.a", at: at(1_234), language: "es" },
        { id: moved.id, waMessageId: "wamid.b", at: at(1_235), language: "en" },
        { id: taken.id, waMessageId: "wamid.c", at: at(1_236), language: "de" },
      ],
      "w",
    );
    expect([...recorded].sort()).toEqual([mine.id, moved.id].sort());
    const a = await prisma.notification.findUniqueOrThrow({ where: { id: mine.id } });
    // The language sent is recorded, whatever was planned.
    expect(a).toMatchObject({ status: "sent", waMessageId: "wamid.a", templateLanguage: "es", leaseOwner: null, leaseUntil: null, decision: "send", attempts: 1 });
    expect(a.sentAt?.toISOString()).toBe(at(1_234).toISOString());
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: moved.id } })).status).toBe("delivered");
    expect(await prisma.notification.findUniqueOrThrow({ where: { id: taken.id } })).toMatchObject({ status: "sending", waMessageId: null, leaseOwner: "other" });
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: taken.id } })).templateLanguage).not.toBe("de");
    const events = await prisma.notificationEvent.findMany({ where: { shop, notificationId: { in: [mine.id, moved.id, taken.id] } } });
    expect(events.map((e) => [e.notificationId, e.kind, e.detail, e.at.toISOString()]).sort()).toEqual(
      [
        [mine.id, "sent", { waMessageId: "wamid.a" }, at(1_234).toISOString()],
        [moved.id, "sent", { waMessageId: "wamid.b" }, at(1_235).toISOString()],
      ].sort(),
    );
    expect(await claim.markSentMany([], "w")).toEqual(new Set());
  });

  it("counts marketing sends for caps and unique recipients for the messaging tier", async () => {
    await prisma.notification.deleteMany({ where: { shop } });
    await row({ status: "sent", subscriberId: "s1", sentAt: at(-3_600_000) });
    await row({ status: "sent", subscriberId: "s1", sentAt: at(-2 * 86_400_000) });
    await row({ status: "sent", subscriberId: "s1", sentAt: at(-60_000), flow: "appointment" });
    await row({ status: "sent", subscriberId: "s2", sentAt: at(-7_200_000) });
    await row({ status: "sent", subscriberId: "s3", sentAt: at(-30 * 3_600_000) });
    await prisma.subscriber.createMany({
      data: ["s1", "s2", "s3"].map((id, i) => ({ id, shop, phone: `+3460000000${i}`, callingCode: "34", status: "subscribed" as const })),
      skipDuplicates: true,
    });
    // What the gate reads for a message of each subscriber: one message is a batch of one.
    const { loadSnapshot } = await import("../../../app/outbox/batch-snapshot.server");
    const stateHolds = async (rows: unknown[]) => rows.map(() => ({ ok: true as const }));
    const snapshotFor = async (subscriberId: string) => (await loadSnapshot(await row({ subscriberId }), T0, stateHolds)).snapshot;
    const s1 = await snapshotFor("s1");
    expect(s1.marketingSentAt.map((d) => d.toISOString())).toEqual([at(-2 * 86_400_000).toISOString(), at(-3_600_000).toISOString()]);
    expect((await snapshotFor("s2")).tier).toEqual({ recipients: 2, subscriberIncluded: true, oldestSentAt: at(-7_200_000) });
    expect((await snapshotFor("s3")).tier).toMatchObject({ recipients: 2, subscriberIncluded: false });
  });
});
