import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { isolatedDatabaseEnv } from "../../support/server";
import { appTestEnv, seedMessages, seedShop, TEMPLATES } from "./fixtures";
import { closeDatabase, databaseKind } from "../../../app/db.server";
import * as db from "../../../app/db.server";
import { createDispatcher } from "../../../app/engine.server";
import { createWhatsAppClient } from "../../../app/whatsapp/client.server";
import { SharedSendBudget, sendPacer } from "../../../app/outbox/send-budget.server";

/**
 * Two dispatchers sending from one WhatsApp number stay under the number's rate together. On
 * PostgreSQL each gets a budget of its own, as two processes would, and they meet only in the
 * database; PGlite is one process, whose dispatchers share its count of each second.
 */
let fake: FakeWhatsApp;
let dropDatabase: () => Promise<void>;
let prisma: typeof import("../../../app/db.server").default;
const seed = { shop: "throughput.myshopify.com", phoneNumberId: "3001", wabaId: "3101", token: "token-t" };
const RATE = 10;
const MESSAGES = 40;

beforeAll(async () => {
  appTestEnv();
  dropDatabase = await isolatedDatabaseEnv();
  fake = await startFakeWhatsApp({
    numbers: [{ phoneNumberId: seed.phoneNumberId, wabaId: seed.wabaId, accessToken: seed.token }],
    templates: { [seed.wabaId]: TEMPLATES },
  });
  await db.databaseReady();
  prisma = db.default;
  await seedShop(prisma, seed);
  await prisma.whatsAppConnection.update({ where: { shop: seed.shop }, data: { messagesPerSecond: RATE } });
});

afterAll(async () => {
  await fake?.close();
  await closeDatabase();
  await dropDatabase?.();
});

describe("one number's throughput across dispatchers", () => {
  it(`sends ${MESSAGES} messages at no more than ${RATE} per second in all`, async () => {
    await seedMessages(prisma, seed.shop, MESSAGES);
    const client = createWhatsAppClient({ origin: fake.origin, version: "v23.0", timeoutMs: 5_000 });
    // When each send was let through. (The fake's arrival times would do on PostgreSQL; on PGlite
    // the database runs on this event loop and holds requests back in bunches.)
    const granted: number[] = [];
    const own = () => {
      const pacer = databaseKind() === "postgres" ? new SharedSendBudget() : sendPacer();
      return { pacer: { take: async (phone: string, rate: number) => void (await pacer.take(phone, rate), granted.push(Date.now())) } };
    };
    // Small batches, so both dispatchers hold rows of the number at the same time.
    const workers = [0, 1].map(() => createDispatcher({ client, batchSize: 5, concurrency: 4, leaseMs: 60_000, ...own() }));
    const started = Date.now();
    while ((await prisma.notification.count({ where: { shop: seed.shop, status: { in: ["scheduled", "sending"] } } })) > 0) {
      const claimed = await Promise.all(workers.map((w) => w.runOnce()));
      expect(claimed.every((n) => n > 0) || Date.now() - started > 1000).toBe(true);
      if (Date.now() - started > 30_000) throw new Error("the messages were not all sent");
    }
    const sent = fake.accepted.filter((m) => m.phoneNumberId === seed.phoneNumberId);
    expect(sent).toHaveLength(MESSAGES);
    const perSecond = new Map<number, number>();
    for (const at of granted) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    expect(granted).toHaveLength(MESSAGES);
    // A send let through at the very end of a second may be stamped in the next one.
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(RATE + 2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(((MESSAGES - 2 * RATE) / RATE) * 1000);
  }, 60_000);
});
