import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { isolatedDatabaseEnv } from "../../support/server";
import { appTestEnv, seedMessages, seedShop, TEMPLATES } from "./fixtures";
import prisma, { databaseReady, closeDatabase } from "../../../app/db.server";
import * as dispatcherModule from "../../../app/engine.server";
import * as clientModule from "../../../app/whatsapp/client.server";

let fake: FakeWhatsApp;
let dropDatabase: () => Promise<void>;

const MAX_ATTEMPTS = 8;
const shopA = { shop: "faults.myshopify.com", phoneNumberId: "1001", wabaId: "2001", token: "token-a" };
const shopB = { shop: "errors.myshopify.com", phoneNumberId: "1002", wabaId: "2002", token: "token-b" };
const shopC = { shop: "shared.myshopify.com", phoneNumberId: "1003", wabaId: "2003", token: "token-c" };
const shopD = { shop: "stopping.myshopify.com", phoneNumberId: "1004", wabaId: "2004", token: "token-d" };

beforeAll(async () => {
  appTestEnv();
  dropDatabase = await isolatedDatabaseEnv();
  fake = await startFakeWhatsApp({
    numbers: [shopA, shopB, shopC, shopD].map((s) => ({ phoneNumberId: s.phoneNumberId, wabaId: s.wabaId, accessToken: s.token })),
    templates: Object.fromEntries([shopA, shopB, shopC, shopD].map((s) => [s.wabaId, TEMPLATES])),
  });
  await databaseReady();
  for (const seed of [shopA, shopB, shopC]) await seedShop(prisma, seed);
});

afterAll(async () => {
  await fake?.close();
  await closeDatabase();
  await dropDatabase?.();
});

// Generous enough that a slow answer under load is not mistaken for a lost one (a timeout after
// WhatsApp accepted is indistinguishable from a lost request, and would be retried).
const client = () => clientModule.createWhatsAppClient({ origin: fake.origin, version: "v23.0", timeoutMs: 2_000 });

async function drain(shop: string, dispatchers: Array<ReturnType<typeof dispatcherModule.createDispatcher>>, deadlineMs = 20_000) {
  const started = Date.now();
  const claimed = dispatchers.map(() => 0);
  for (;;) {
    const counts = await Promise.all(dispatchers.map((d) => d.runOnce()));
    counts.forEach((n, i) => (claimed[i] += n));
    const open = await prisma.notification.count({ where: { shop, status: { in: ["scheduled", "sending"] } } });
    if (open === 0) return claimed;
    if (Date.now() - started > deadlineMs) {
      const reasons = await prisma.notification.groupBy({ by: ["status", "decisionReason"], where: { shop }, _count: true });
      throw new Error(`${open} messages still open: ${JSON.stringify(reasons)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("dispatcher against the fake Cloud API", () => {
  it("with 20% injected faults sends every message exactly once, with bounded retries", async () => {
    const ids = await seedMessages(prisma, shopA.shop, 60);
    fake.setFaultRate(0.2, ["http_500", "timeout", "reset", 130429, 131056]);
    const dispatcher = dispatcherModule.createDispatcher({
      client: client(),
      batchSize: 20,
      leaseMs: 30_000,
      maxAttempts: MAX_ATTEMPTS,
      retryBaseMs: 10,
      retryMaxMs: 100,
    });
    await drain(shopA.shop, [dispatcher]);
    fake.setFaultRate(0);

    const rows = await prisma.notification.findMany({ where: { shop: shopA.shop } });
    expect(rows.map((r) => r.status).filter((s) => s !== "sent")).toEqual([]);
    const counts = fake.acceptedCounts();
    expect(ids.map((id) => counts.get(id) ?? 0)).toEqual(ids.map(() => 1));
    for (const row of rows) {
      expect(row.attempts).toBeLessThanOrEqual(MAX_ATTEMPTS);
      expect(row.waMessageId).toMatch(/^wamid\./);
    }
    const faulted = fake.attempts.filter((a) => a.callbackData && ids.includes(a.callbackData) && a.outcome !== "accepted");
    expect(faulted.length).toBeGreaterThan(0);
    const retries = await prisma.notificationEvent.count({ where: { shop: shopA.shop, kind: "retry_scheduled" } });
    expect(retries).toBe(faulted.length);
  });

  it("ends permanent errors as failed with a merchant-readable reason, and acts on 131049, 131050 and 190", async () => {
    const [undeliverable, limited, stopped] = await seedMessages(prisma, shopB.shop, 3, "promotion");
    const d = dispatcherModule.createDispatcher({ client: client(), batchSize: 1, leaseMs: 30_000, retryBaseMs: 10 });
    const rowOf = (id: string) => prisma.notification.findUniqueOrThrow({ where: { id } });

    fake.injectFaults(131026);
    await d.runOnce();
    const failed = await rowOf(undeliverable);
    expect(failed.status).toBe("failed");
    expect(failed.errorCode).toBe(131026);
    expect(failed.decisionReason).toMatch(/could not deliver/i);

    const before = new Date();
    fake.injectFaults(131049);
    await d.runOnce();
    const deferred = await rowOf(limited);
    expect(deferred.status).toBe("scheduled");
    expect(deferred.sendAt.getTime()).toBeGreaterThanOrEqual(before.getTime() + 24 * 3_600_000);
    const limitedSubscriber = await prisma.subscriber.findUniqueOrThrow({ where: { id: deferred.subscriberId! } });
    expect(limitedSubscriber.marketingBlockedUntil!.getTime()).toBeGreaterThanOrEqual(before.getTime() + 24 * 3_600_000);

    fake.injectFaults(131050);
    await d.runOnce();
    const never = await rowOf(stopped);
    expect(never.status).toBe("failed");
    expect(never.errorCode).toBe(131050);
    const stoppedSubscriber = await prisma.subscriber.findUniqueOrThrow({ where: { id: never.subscriberId! } });
    expect(stoppedSubscriber.marketingStoppedAt).not.toBeNull();
    expect(await prisma.consentEvent.count({ where: { subscriberId: stoppedSubscriber.id, kind: "marketing_stopped" } })).toBe(1);

    // 190: the whole shop stops sending until the merchant reconnects.
    const [tokenRow] = await seedMessages(prisma, shopB.shop, 1, "optin_confirmation", new Date());
    fake.injectFaults(190);
    await d.runOnce();
    const shop = await prisma.shop.findUniqueOrThrow({ where: { shop: shopB.shop }, include: { connection: true } });
    expect(shop.sendingPausedReason).toBe("whatsapp_token_invalid");
    expect(shop.connection?.status).toBe("token_invalid");
    expect((await rowOf(tokenRow)).status).toBe("scheduled");
    expect(fake.accepted.filter((m) => [undeliverable, limited, stopped, tokenRow].includes(m.callbackData!))).toHaveLength(0);
  });

  it("sends marketing templates through the Marketing Messages API when the shop asks for it", async () => {
    await prisma.shopSettings.update({ where: { shop: shopC.shop }, data: { useMarketingMessagesApi: true } });
    const [promo] = await seedMessages(prisma, shopC.shop, 1, "promotion");
    const d = dispatcherModule.createDispatcher({ client: client(), leaseMs: 30_000 });
    await d.runOnce();
    const message = fake.accepted.find((m) => m.callbackData === promo);
    expect(message?.edge).toBe("marketing_messages");
    expect(message?.components).toEqual([
      { type: "header", parameters: [{ type: "image", image: { link: "https://cdn.example/spring.png" } }] },
      { type: "body", parameters: [{ type: "text", text: "Spring" }, { type: "text", text: "20%" }] },
      { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "t0" }] },
      { type: "button", sub_type: "quick_reply", index: "1", parameters: [{ type: "payload", payload: "REBOUND_STOP" }] },
    ]);
  });

  it("two dispatchers share the outbox without sending anything twice", async () => {
    await prisma.shopSettings.update({ where: { shop: shopC.shop }, data: { useMarketingMessagesApi: false } });
    const ids = await seedMessages(prisma, shopC.shop, 80, "optin_confirmation");
    const first = dispatcherModule.createDispatcher({ client: client(), batchSize: 10, leaseMs: 30_000 });
    const second = dispatcherModule.createDispatcher({ client: client(), batchSize: 10, leaseMs: 30_000 });
    const [byFirst, bySecond] = await drain(shopC.shop, [first, second]);
    expect(byFirst).toBeGreaterThan(0);
    expect(bySecond).toBeGreaterThan(0);
    expect(byFirst + bySecond).toBe(ids.length);
    const counts = fake.acceptedCounts();
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
    const events = await prisma.notificationEvent.findMany({ where: { shop: shopC.shop, kind: "sent", notificationId: { in: ids } } });
    expect(events).toHaveLength(ids.length);
  });

  it("one shopper never gets a burst, even when two dispatchers claim their messages at once", async () => {
    const ids = await seedMessages(prisma, shopC.shop, 4, "promotion");
    const first = await prisma.notification.findUniqueOrThrow({ where: { id: ids[0] } });
    await prisma.notification.updateMany({ where: { id: { in: ids } }, data: { subscriberId: first.subscriberId } });
    const a = dispatcherModule.createDispatcher({ client: client(), batchSize: 1, leaseMs: 30_000 });
    const b = dispatcherModule.createDispatcher({ client: client(), batchSize: 1, leaseMs: 30_000 });
    for (let round = 0; round < 3; round++) await Promise.all([a.runOnce(), b.runOnce()]);
    const sent = fake.accepted.filter((m) => ids.includes(m.callbackData!));
    expect(sent).toHaveLength(1);
    const rows = await prisma.notification.findMany({ where: { id: { in: ids } } });
    const waiting = rows.filter((r) => r.status === "scheduled");
    expect(waiting).toHaveLength(3);
    for (const r of waiting) expect(r.decisionReason).toMatch(/^(priority:promotion|cap_per_day|spacing)$/);
  });

  it("does not overshoot the messaging-limit tier with sends in flight", async () => {
    const seedT = { shop: "tier.myshopify.com", phoneNumberId: "1006", wabaId: "2006", token: "token-f" };
    fake.addNumber({ phoneNumberId: seedT.phoneNumberId, wabaId: seedT.wabaId, accessToken: seedT.token }, TEMPLATES);
    await seedShop(prisma, seedT, { messagingLimitTier: 2 });
    const ids = await seedMessages(prisma, seedT.shop, 4);
    fake.hold();
    const d = dispatcherModule.createDispatcher({ client: client(), batchSize: 4, concurrency: 4, leaseMs: 30_000 });
    const running = d.runOnce();
    const deferred = () => prisma.notification.count({ where: { id: { in: ids }, decisionReason: "messaging_limit_tier" } });
    const started = Date.now();
    while (fake.heldCount < 2 || (await deferred()) < 2) {
      if (fake.heldCount > 2 || Date.now() - started > 10_000) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const inFlight = fake.heldCount;
    fake.releaseHeld();
    await running;
    expect(inFlight).toBe(2);
    expect(fake.accepted.filter((m) => ids.includes(m.callbackData!))).toHaveLength(2);
    expect(await deferred()).toBe(2);
  });

  it("rows of one shopper in one batch see each other's sends, and the tier counts sends recorded since the batch was read", async () => {
    const seed = { shop: "one-batch.myshopify.com", phoneNumberId: "1007", wabaId: "2007", token: "token-g" };
    fake.addNumber({ phoneNumberId: seed.phoneNumberId, wabaId: seed.wabaId, accessToken: seed.token }, TEMPLATES);
    await seedShop(prisma, seed, { messagingLimitTier: 3 });
    const shared = await seedMessages(prisma, seed.shop, 3, "promotion");
    const first = await prisma.notification.findUniqueOrThrow({ where: { id: shared[0] } });
    await prisma.notification.updateMany({ where: { id: { in: shared } }, data: { subscriberId: first.subscriberId } });
    const others = await seedMessages(prisma, seed.shop, 3);
    // One at a time, so each send is recorded (no longer in flight) before the next row is decided.
    const d = dispatcherModule.createDispatcher({ client: client(), batchSize: 10, concurrency: 1, leaseMs: 30_000 });
    expect(await d.runOnce()).toBe(6);
    const rows = await prisma.notification.findMany({ where: { shop: seed.shop } });
    const sharedRows = rows.filter((r) => shared.includes(r.id));
    expect(sharedRows.filter((r) => r.status === "sent")).toHaveLength(1);
    for (const r of sharedRows.filter((r) => r.status !== "sent")) {
      expect(r.status).toBe("scheduled");
      expect(r.decisionReason).toMatch(/^(priority:promotion|cap_per_day|spacing)$/);
    }
    // Tier 3: the shared shopper and two others; the third other waits for the rolling 24 h.
    const otherRows = rows.filter((r) => others.includes(r.id));
    expect(otherRows.filter((r) => r.status === "sent")).toHaveLength(2);
    expect(otherRows.filter((r) => r.decisionReason === "messaging_limit_tier")).toHaveLength(1);
    expect(fake.accepted.filter((m) => m.phoneNumberId === seed.phoneNumberId)).toHaveLength(3);
  });

  it("holds messages of a shop whose stored token cannot be decrypted, without sending", async () => {
    const shop = "unreadable.myshopify.com";
    await seedShop(prisma, { shop, phoneNumberId: "1005", wabaId: "2005", token: "token-e" });
    await prisma.whatsAppConnection.update({ where: { shop }, data: { accessTokenEnc: "v1.k9.AAAA.BBBB.CCCC" } });
    const [id] = await seedMessages(prisma, shop, 1);
    await dispatcherModule.createDispatcher({ client: client(), leaseMs: 30_000 }).runOnce();
    const row = await prisma.notification.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "scheduled", decision: "defer", decisionReason: "whatsapp_credentials_unreadable", leaseOwner: null });
    expect(fake.attempts.some((a) => a.callbackData === id)).toBe(false);
  });

  it("a stopping dispatcher hands back what it claimed but had not started", async () => {
    const shop = shopD.shop;
    await seedShop(prisma, shopD);
    const ids = await seedMessages(prisma, shop, 6, "optin_confirmation");
    fake.hold();
    const d = dispatcherModule.createDispatcher({ client: clientModule.createWhatsAppClient({ origin: fake.origin, version: "v23.0", timeoutMs: 2000 }), batchSize: 6, concurrency: 1, leaseMs: 60_000 });
    const running = d.runOnce();
    while (fake.heldCount < 1) await new Promise((resolve) => setTimeout(resolve, 10));
    const stopping = d.stop();
    fake.releaseHeld();
    await Promise.all([running, stopping]);
    const rows = await prisma.notification.findMany({ where: { shop, id: { in: ids } } });
    // The one row in flight finished; the five not started came back unclaimed and untouched.
    expect(rows.filter((r) => r.status === "sent")).toHaveLength(1);
    const released = rows.filter((r) => r.status === "scheduled" && r.leaseOwner === null && r.decision === null);
    expect(released).toHaveLength(5);
    expect(rows.filter((r) => r.status === "sending")).toHaveLength(0);
  });
});
