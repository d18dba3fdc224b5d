import { seedCatalogue, seedDue, seedSubscribers } from "../../bench/seed";
import { cartPayload, cartToken } from "../fakes/shopify/payloads";
import { sendWebhook } from "../fakes/shopify/webhooks";
import { LEASE_MS, SECRET, sleep, terminateBackends, until, type Harness } from "./harness";

/**
 * Faults from outside: WhatsApp failing one call in five (5xx, timeouts, 130429), and PostgreSQL
 * ending the app's connections in the middle of a run. The app must recover by itself: every
 * message delivered once, retries bounded, later webhooks answered 200.
 */
const MAX_ATTEMPTS = 8; // the dispatcher's default

async function openCount(h: Harness, shop: string) {
  const [{ n }] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "Notification" WHERE shop = $1 AND status IN ('scheduled', 'sending')`, [shop]);
  return n;
}

/** Backoff starts at 2 s and doubles; eight attempts fit in a few minutes at most. */
async function drainDue(h: Harness, shop: string, timeoutMs: number) {
  // Retries are scheduled in the future; pull them forward so the run does not wait out backoff
  // delays that only exist to spare the real WhatsApp (the attempt count is what is bounded).
  await until(
    `${shop} to drain`,
    async () => {
      await h.sql(`UPDATE "Notification" SET "sendAt" = now() WHERE shop = $1 AND status = 'scheduled' AND "sendAt" > now()`, [shop]);
      return (await openCount(h, shop)) === 0;
    },
    timeoutMs,
  );
}

export interface FaultResult {
  messages: number;
  lost: number;
  duplicates: number;
  faults_injected: number;
  max_attempts: number;
  failed: number;
}

export async function whatsappFaults(h: Harness, messages: number): Promise<FaultResult> {
  const shop = { shop: "faulty.myshopify.com", phoneNumberId: "5201", wabaId: "6201", token: "token-faulty", messagesPerSecond: 1000 };
  await h.addShop(shop);
  await seedSubscribers(h.app, shop.shop, "f", messages, 6_000_000);
  await seedDue(h.app, shop.shop, "f", messages);
  const ids = Array.from({ length: messages }, (_, i) => `f-${i + 1}-msg`);
  // One call in five fails. A timeout holds a dispatcher slot for the client's full 15 s, so it
  // is one fault in five; 5xx and 130429 make up the rest.
  h.fake.setFaultRate(0.2, ["http_500", 130429, "timeout", "http_500", 130429]);
  await h.app.call("startDispatcher");
  try {
    await drainDue(h, shop.shop, 200_000);
  } finally {
    h.fake.setFaultRate(0);
    await h.app.call("stopDispatcher");
  }
  const counts = h.fake.acceptedCounts();
  const mine = new Set(ids);
  const faults = h.fake.attempts.filter((a) => a.callbackData && mine.has(a.callbackData) && a.outcome !== "accepted").length;
  const [{ max, failed }] = await h.sql<{ max: number; failed: number }>(
    `SELECT max(attempts)::int AS max, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM "Notification" WHERE shop = $1`,
    [shop.shop],
  );
  return {
    messages,
    lost: ids.filter((id) => !counts.has(id)).length,
    duplicates: ids.filter((id) => (counts.get(id) ?? 0) > 1).length,
    faults_injected: faults,
    max_attempts: max,
    failed,
  };
}

export interface ConnectionKillResult {
  messages: number;
  kills: number;
  backends_terminated: number;
  lost: number;
  duplicates: number;
  webhooks_after: number;
  webhooks_after_ok: number;
  webhooks_during_failed: number;
}

export async function connectionKills(h: Harness, messages: number): Promise<ConnectionKillResult> {
  const shop = { shop: "pgkill.myshopify.com", phoneNumberId: "5301", wabaId: "6301", token: "token-pgkill", messagesPerSecond: 1000 };
  await h.addShop(shop);
  const [item] = await seedCatalogue(h.app, shop.shop, 1, 7000);
  await seedSubscribers(h.app, shop.shop, "p", messages, 7_000_000);
  await seedDue(h.app, shop.shop, "p", messages);
  const ids = Array.from({ length: messages }, (_, i) => `p-${i + 1}-msg`);
  const webhook = () =>
    sendWebhook(h.url, SECRET, {
      topic: "carts/update",
      shop: shop.shop,
      payload: cartPayload({ token: cartToken(), lines: [{ variantId: item.variantId, productId: item.productId, title: "Shirt", quantity: 1, price: "9.00" }], updatedAt: new Date() }),
    }).then((r) => r.status, () => 0);

  await h.app.call("startDispatcher");
  let terminated = 0;
  let duringFailed = 0;
  const accepted = () => h.fake.accepted.filter((m) => m.phoneNumberId === shop.phoneNumberId).length;
  try {
    for (let kill = 1; kill <= 3; kill++) {
      await until(`${kill}/4 of the messages`, () => accepted() >= (messages * kill) / 4, 120_000);
      // Webhooks arriving while the connections drop: Shopify retries a failed one, so a 5xx
      // here is tolerable; what matters is what follows.
      const during = Promise.all(Array.from({ length: 10 }, webhook));
      terminated += await terminateBackends(h, h.appApplicationName);
      duringFailed += (await during).filter((s) => s !== 200).length;
    }
    await sleep(200);
    await drainDue(h, shop.shop, 120_000 + LEASE_MS);
  } finally {
    await h.app.call("stopDispatcher");
  }
  const after = await Promise.all(Array.from({ length: 20 }, webhook));
  const counts = h.fake.acceptedCounts();
  return {
    messages,
    kills: 3,
    backends_terminated: terminated,
    lost: ids.filter((id) => !counts.has(id)).length,
    duplicates: ids.filter((id) => (counts.get(id) ?? 0) > 1).length,
    webhooks_after: after.length,
    webhooks_after_ok: after.filter((s) => s === 200).length,
    webhooks_during_failed: duringFailed,
  };
}

export { MAX_ATTEMPTS };
