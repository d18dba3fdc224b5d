import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { isolatedDatabaseEnv } from "../../support/server";
import { appTestEnv, seedMessages, seedShop, TEMPLATES } from "./fixtures";
import prisma, { databaseReady, closeDatabase } from "../../../app/db.server";
import * as dispatcherModule from "../../../app/engine.server";
import * as clientModule from "../../../app/whatsapp/client.server";
import * as optOut from "../../../app/consent/opt-out.server";

// A STOP that lands while a claimed batch is being sent: the batch's gate facts were read before
// it, so only the re-check right before each send can keep that shopper's message from going.
let fake: FakeWhatsApp;
let dropDatabase: () => Promise<void>;

const seed = { shop: "stop-race.myshopify.com", phoneNumberId: "1101", wabaId: "2101", token: "token-race" };

beforeAll(async () => {
  appTestEnv();
  dropDatabase = await isolatedDatabaseEnv();
  fake = await startFakeWhatsApp({
    numbers: [{ phoneNumberId: seed.phoneNumberId, wabaId: seed.wabaId, accessToken: seed.token }],
    templates: { [seed.wabaId]: TEMPLATES },
  });
  await databaseReady();
  await seedShop(prisma, seed);
});

afterAll(async () => {
  await fake?.close();
  await closeDatabase();
  await dropDatabase?.();
});

const client = () => clientModule.createWhatsAppClient({ origin: fake.origin, version: "v23.0", timeoutMs: 5_000 });

async function stop(subscriberId: string) {
  await prisma.$transaction((tx) =>
    optOut.recordOptOut(tx, { shop: seed.shop, subscriberId, source: "whatsapp_reply", scope: "marketing", text: "STOP", at: new Date() }),
  );
}

describe("a STOP racing a claimed batch", () => {
  it("keeps the stopped shoppers' messages from going (and holds a newly limited one) while the rest of the batch is sent", async () => {
    const ids = await seedMessages(prisma, seed.shop, 8, "promotion");
    const rows = await prisma.notification.findMany({ where: { id: { in: ids } }, select: { id: true, subscriberId: true } });
    const subscriberOf = new Map(rows.map((r) => [r.id, r.subscriberId!]));
    // Claimed and read as a batch, then held at the first send: the STOPs land mid-batch.
    fake.hold();
    const d = dispatcherModule.createDispatcher({ client: client(), batchSize: 8, concurrency: 2, leaseMs: 30_000 });
    const running = d.runOnce();
    const started = Date.now();
    while (fake.heldCount < 2 && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fake.heldCount).toBe(2);
    const stopped = ids.slice(4);
    for (const id of stopped) await stop(subscriberOf.get(id)!);
    // Meta's per-user marketing limit (131049) recorded meanwhile for another shopper: held until it lifts.
    const blockedUntil = new Date(Math.floor(Date.now() / 1000) * 1000 + 2 * 3_600_000);
    await prisma.subscriber.update({ where: { id: subscriberOf.get(ids[3])! }, data: { marketingBlockedUntil: blockedUntil } });
    fake.releaseHeld();
    expect(await running).toBe(8);

    const counts = fake.acceptedCounts();
    expect(ids.slice(0, 4).map((id) => counts.get(id) ?? 0)).toEqual([1, 1, 1, 0]);
    expect(stopped.map((id) => counts.get(id) ?? 0)).toEqual([0, 0, 0, 0]);
    const after = await prisma.notification.findMany({ where: { id: { in: stopped } } });
    for (const row of after) expect(row).toMatchObject({ status: "skipped", decisionReason: "consent_unsubscribed", leaseOwner: null });
    const sent = await prisma.notification.count({ where: { id: { in: ids.slice(0, 3) }, status: "sent" } });
    expect(sent).toBe(3);
    const held = await prisma.notification.findUniqueOrThrow({ where: { id: ids[3] } });
    expect(held).toMatchObject({ status: "scheduled", decisionReason: "meta_marketing_limit", leaseOwner: null });
    expect(held.sendAt.getTime()).toBe(blockedUntil.getTime());
  });
});
