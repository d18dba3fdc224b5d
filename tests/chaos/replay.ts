import { randomUUID } from "node:crypto";
import { seedCatalogue } from "../../bench/seed";
import { cartPayload, cartToken, inventoryLevelPayload } from "../fakes/shopify/payloads";
import { sendWebhook, type WebhookDelivery } from "../fakes/shopify/webhooks";
import { proxyFetch } from "../fakes/shopify/app-proxy";
import { SECRET, type Harness } from "./harness";

/**
 * Shopify delivers at least once and out of order: each event here arrives 10 times, all of
 * them shuffled together. One receipt and at most one task per event; the newest state wins.
 * Shoppers double-submit too: the same opt-in sent 10 times at once is one subscriber, no 5xx.
 */
export interface ReplayResult {
  deliveries: number;
  non_200: number;
  violations: string[];
}

const VERSIONS = 5;
const COPIES = 10;

/** In place (Fisher–Yates): deliveries arrive in any order, as Shopify's retries do. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export async function replayOutOfOrder(h: Harness): Promise<ReplayResult> {
  const shop = { shop: "replay.myshopify.com", phoneNumberId: "5401", wabaId: "6401", token: "token-replay", messagesPerSecond: 80 };
  await h.addShop(shop);
  await h.sql(`INSERT INTO "Session" (id, shop, state, "isOnline", "accessToken") VALUES ($1, $2, '', false, 'shpat_replay')`, [`offline_${shop.shop}`, shop.shop]);
  const [item] = await seedCatalogue(h.app, shop.shop, 1, 8000);
  const token = cartToken();
  const base = Date.now() - 60 * 60_000;
  const events: Array<{ eventId: string; delivery: WebhookDelivery }> = [];
  for (let v = 1; v <= VERSIONS; v++) {
    const updatedAt = new Date(base + v * 60_000);
    const cart = { eventId: randomUUID(), topic: "carts/update", payload: cartPayload({ token, lines: [{ variantId: item.variantId, productId: item.productId, title: "Shirt", quantity: v, price: "10.00" }], updatedAt }) };
    const level = { eventId: randomUUID(), topic: "inventory_levels/update", payload: inventoryLevelPayload({ inventoryItemId: item.inventoryItemId, locationId: 1, available: v * 3, updatedAt }) };
    for (const e of [cart, level]) events.push({ eventId: e.eventId, delivery: { ...e, shop: shop.shop, triggeredAt: updatedAt } });
  }
  // Each copy has its own webhook id, as Shopify's retries do; the event id stays the same.
  const deliveries = shuffle(events.flatMap((e) => Array.from({ length: COPIES }, () => ({ ...e.delivery, webhookId: randomUUID() }))));
  let non200 = 0;
  const queue = [...deliveries];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const status = await sendWebhook(h.url, SECRET, d).then((r) => r.status, () => 0);
        if (status !== 200) non200++;
      }
    }),
  );

  const violations: string[] = [];
  const eventIds = events.map((e) => e.eventId);
  const receipts = await h.sql<{ eventId: string; n: number }>(
    `SELECT "eventId", count(*)::int AS n FROM "WebhookReceipt" WHERE "eventId" = ANY($1) GROUP BY 1`,
    [eventIds],
  );
  if (receipts.length !== eventIds.length || receipts.some((r) => r.n !== 1)) violations.push(`receipts: ${receipts.length} events recorded of ${eventIds.length}`);
  const tasks = await h.sql<{ dedupKey: string; n: number }>(
    `SELECT "dedupKey", count(*)::int AS n FROM "Task" WHERE shop = $1 GROUP BY 1 HAVING count(*) > 1`,
    [shop.shop],
  );
  if (tasks.length > 0) violations.push(`tasks enqueued twice: ${tasks.map((t) => t.dedupKey).join(", ")}`);
  const [cart] = await h.sql<{ itemCount: number; updated: Date }>(
    `SELECT "itemCount", "shopifyUpdatedAt" AS updated FROM "Cart" WHERE shop = $1 AND token = $2`,
    [shop.shop, token],
  );
  if (!cart) violations.push("cart not stored");
  else if (cart.itemCount !== VERSIONS || new Date(cart.updated).getTime() !== base + VERSIONS * 60_000) {
    violations.push(`cart kept an older state (itemCount ${cart.itemCount}, updated ${new Date(cart.updated).toISOString()})`);
  }
  const [level] = await h.sql<{ available: number }>(
    `SELECT available FROM "InventoryLevel" WHERE shop = $1 AND "inventoryItemId" = $2`,
    [shop.shop, String(item.inventoryItemId)],
  );
  const [variant] = await h.sql<{ available: number }>(`SELECT available FROM "Variant" WHERE shop = $1 AND id = $2`, [shop.shop, String(item.variantId)]);
  if (level?.available !== VERSIONS * 3) violations.push(`inventory level kept ${level?.available}, newest is ${VERSIONS * 3}`);
  if (variant?.available !== VERSIONS * 3) violations.push(`variant availability ${variant?.available}, newest is ${VERSIONS * 3}`);

  const phone = "+34633000777";
  const optIns = await Promise.all(
    Array.from({ length: COPIES }, () =>
      proxyFetch(
        h.url,
        SECRET,
        { shop: shop.shop, path: "/optin" },
        {
          body: JSON.stringify({ phone, variantId: String(item.variantId), source: "product_block", consentText: "Send me a WhatsApp message from replay when this is back in stock.", textVersion: "v1", locale: "en" }),
          contentType: "application/json",
          forwardedFor: "198.51.100.77",
        },
      ).then((r) => r.status, () => 0),
    ),
  );
  // 429 is the per-phone rate limit refusing the burst: a correct answer. A 5xx or no answer is not.
  const failedOptIns = optIns.filter((st) => st === 0 || st >= 500);
  if (failedOptIns.length > 0) violations.push(`same opt-in sent ${COPIES} times at once: answered ${JSON.stringify(optIns)}`);
  const [{ n: subscribers }] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "Subscriber" WHERE shop = $1 AND phone = $2`, [shop.shop, phone]);
  if (subscribers !== 1) violations.push(`same opt-in sent ${COPIES} times at once: ${subscribers} subscribers`);
  return { deliveries: deliveries.length + COPIES, non_200: non200, violations };
}
