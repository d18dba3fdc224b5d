import { randomUUID } from "node:crypto";
import { seedCatalogue } from "../../bench/seed";
import {
  cartPayload,
  cartToken,
  checkoutPayload,
  checkoutToken,
  customersDataRequestPayload,
  customersRedactPayload,
  customerUpdatePayload,
  inventoryLevelPayload,
  orderPayload,
  productPayload,
  scopesUpdatePayload,
  shopRedactPayload,
  shopifyNumericId,
} from "../fakes/shopify/payloads";
import { subscribedTopics } from "../fakes/shopify/app-config";
import { sendWebhook, type WebhookDelivery } from "../fakes/shopify/webhooks";
import { SECRET, until, type Harness } from "./harness";
import { shuffle } from "./replay";

/**
 * Every topic the app subscribes to (shopify.app.toml), each event delivered COPIES times at once
 * with its own webhook id, as Shopify's retries are, all shuffled together; then the deferred
 * tasks run. A replay must have no second effect. The checks look at what a second copy would
 * add beyond a unique index: receipts per event, tasks with the same kind and payload, planned
 * messages for the same shopper and subject, timeline and consent events, credits (attributions)
 * per order, data requests per customer.
 */
export interface TopicReplayResult {
  topics: string[];
  deliveries: number;
  non_200: number;
  effects: Record<string, number>;
  violations: string[];
}

const COPIES = 5;

export async function replayEveryTopic(h: Harness): Promise<TopicReplayResult> {
  const main = { shop: "replay-topics.myshopify.com", phoneNumberId: "5601", wabaId: "6601", token: "token-replay-topics", messagesPerSecond: 80 };
  // Uninstall and shop redaction end a shop: they get one of their own, so the others still apply.
  const ending = { shop: "replay-ending.myshopify.com", phoneNumberId: "5602", wabaId: "6602", token: "token-replay-ending", messagesPerSecond: 80 };
  for (const s of [main, ending]) {
    await h.addShop(s);
    await h.sql(`INSERT INTO "Session" (id, shop, state, "isOnline", "accessToken", scope) VALUES ($1, $2, '', false, 'shpat_replay', $3)`, [
      `offline_${s.shop}`,
      s.shop,
      "read_products,read_inventory,read_orders,read_customers,write_discounts,read_discounts",
    ]);
  }
  const [item] = await seedCatalogue(h.app, main.shop, 1, 9000);
  const phone = "+34633000888";
  const customerId = shopifyNumericId();
  const subscriberId = `replay-sub-${randomUUID().slice(0, 8)}`;
  await h.sql(
    `INSERT INTO "Subscriber" (id, shop, phone, "callingCode", status, "customerId", "updatedAt") VALUES ($1, $2, $3, '34', 'subscribed', $4, now())`,
    [subscriberId, main.shop, phone, String(customerId)],
  );
  // A reminder the shopper clicked for this cart: the order below is credited to it.
  const token = cartToken();
  const checkout = checkoutToken();
  const clicked = new Date(Date.now() - 30 * 60_000);
  const notificationId = `replay-n-${randomUUID().slice(0, 8)}`;
  await h.sql(
    `INSERT INTO "Notification" (id, shop, flow, "dedupKey", "subscriberId", status, "sendAt", "templateName", "cartToken", "sentAt", "clickedAt", "updatedAt")
     VALUES ($1, $2, 'abandoned_cart', $3, $4, 'sent', $5, 'optin_confirmation', $6, $5, $7, now())`,
    [notificationId, main.shop, `replay-clicked:${token}`, subscriberId, new Date(clicked.getTime() - 60_000), token, clicked],
  );
  const linkToken = randomUUID().replace(/-/g, "");
  await h.sql(`INSERT INTO "TrackedLink" (token, shop, "notificationId", destination) VALUES ($1, $2, $3, 'https://replay-topics.myshopify.com/cart')`, [
    linkToken,
    main.shop,
    notificationId,
  ]);
  await h.sql(`INSERT INTO "Click" (id, shop, token, "notificationId", "clickedAt") VALUES ($1, $2, $3, $4, $5)`, [randomUUID(), main.shop, linkToken, notificationId, clicked]);

  const now = new Date();
  const line = { variantId: item.variantId, productId: item.productId, title: "Shirt", quantity: 2, price: "10.00" };
  const orderId = shopifyNumericId();
  const customer = { id: customerId, phone };
  const payloads: Record<string, { shop: string; payload: unknown }> = {
    "carts/create": { shop: main.shop, payload: cartPayload({ lines: [line], updatedAt: now }) },
    "carts/update": { shop: main.shop, payload: cartPayload({ token: cartToken(), lines: [line], updatedAt: now }) },
    "checkouts/create": { shop: main.shop, payload: checkoutPayload({ token: checkoutToken(), phone, customer, lines: [line], updatedAt: now }) },
    "checkouts/update": { shop: main.shop, payload: checkoutPayload({ token: checkoutToken(), phone, customer, lines: [line], updatedAt: now }) },
    "orders/create": { shop: main.shop, payload: orderPayload({ id: orderId, cartToken: token, checkoutToken: checkout, phone, customer, lines: [line], createdAt: now }) },
    "orders/paid": { shop: main.shop, payload: orderPayload({ id: orderId, cartToken: token, checkoutToken: checkout, phone, customer, lines: [line], createdAt: now }) },
    "orders/cancelled": { shop: main.shop, payload: { ...orderPayload({ id: shopifyNumericId(), phone, customer, lines: [line], createdAt: now }), cancelled_at: now.toISOString(), cancel_reason: "customer" } },
    "inventory_levels/update": { shop: main.shop, payload: inventoryLevelPayload({ inventoryItemId: item.inventoryItemId, locationId: 1, available: 7, updatedAt: now }) },
    "products/update": { shop: main.shop, payload: productPayload({ id: item.productId, title: "Shirt", variants: [], updatedAt: now }) },
    "app/scopes_update": { shop: main.shop, payload: scopesUpdatePayload({ previous: ["read_products"], current: ["read_products", "read_orders"], updatedAt: now }) },
    "customers/data_request": { shop: main.shop, payload: customersDataRequestPayload({ shop: main.shop, customer: { id: customerId, phone }, ordersRequested: [orderId] }) },
    // The subscriber is this customer: the update asks for their WhatsApp consent to be read again.
    "customers/update": { shop: main.shop, payload: customerUpdatePayload({ id: customerId, phone, updatedAt: now }) },
    "customers/redact": { shop: main.shop, payload: customersRedactPayload({ shop: main.shop, customer: { id: shopifyNumericId(), phone: "+34633000999" } }) },
    "app/uninstalled": { shop: ending.shop, payload: { id: shopifyNumericId(), domain: ending.shop, myshopify_domain: ending.shop } },
    "shop/redact": { shop: ending.shop, payload: shopRedactPayload({ shop: ending.shop }) },
  };
  const topics = subscribedTopics();
  const violations: string[] = [];
  const missing = topics.filter((t) => !payloads[t]);
  if (missing.length) violations.push(`no replay for subscribed topics: ${missing.join(", ")}`);

  const events = topics.filter((t) => payloads[t]).map((topic) => ({ topic, eventId: randomUUID(), ...payloads[topic], triggeredAt: now }));
  const deliveries: WebhookDelivery[] = shuffle(events.flatMap((e) => Array.from({ length: COPIES }, () => ({ ...e, webhookId: randomUUID() }))));
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
  if (non200 > 0) violations.push(`${non200} of ${deliveries.length} deliveries answered other than 200`);

  // The deferred work runs (fan-outs, attribution, redaction), as a worker would.
  await h.app.call("startTasks");
  try {
    await until(
      "the replayed events' tasks",
      async () => {
        const [{ n }] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "Task" WHERE shop = ANY($1) AND status IN ('queued', 'running') AND "runAt" <= now()`, [[main.shop, ending.shop]]);
        return n === 0;
      },
      60_000,
    );
  } finally {
    await h.app.call("stopTasks");
  }

  const shops = [main.shop, ending.shop];
  const twice = async (what: string, sql: string) => {
    const rows = await h.sql<{ what: string; n: number }>(sql, [shops]);
    if (rows.length) violations.push(`${what} twice: ${rows.slice(0, 5).map((r) => `${r.what} x${r.n}`).join(", ")}`);
  };
  // The ending shop's receipts go with the rest of its data when shop/redact is applied.
  const kept = events.filter((e) => e.shop === main.shop);
  const receipts = await h.sql<{ eventId: string; n: number }>(`SELECT "eventId", count(*)::int AS n FROM "WebhookReceipt" WHERE "eventId" = ANY($1) GROUP BY 1`, [kept.map((e) => e.eventId)]);
  const receiptOf = new Map(receipts.map((r) => [r.eventId, r.n]));
  const unreceipted = kept.filter((e) => receiptOf.get(e.eventId) !== 1).map((e) => `${e.topic}: ${receiptOf.get(e.eventId) ?? 0}`);
  const [{ n: left }] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "Shop" WHERE shop = $1`, [ending.shop]);
  if (left !== 0) violations.push("shop/redact replayed with app/uninstalled left the shop in place");
  if (unreceipted.length) violations.push(`receipts per event not 1: ${unreceipted.join(", ")}`);
  await twice("task", `SELECT kind || ' ' || left(payload::text, 80) AS what, count(*)::int AS n FROM "Task" WHERE shop = ANY($1) GROUP BY shop, kind, payload::text HAVING count(*) > 1`);
  await twice(
    "message planned",
    `SELECT flow::text || ' ' || coalesce("cartToken", "orderId", "variantId", '') AS what, count(*)::int AS n FROM "Notification"
      WHERE shop = ANY($1) GROUP BY shop, "subscriberId", flow, step, "cartToken", "orderId", "variantId", "campaignId" HAVING count(*) > 1`,
  );
  await twice("timeline event", `SELECT kind AS what, count(*)::int AS n FROM "NotificationEvent" WHERE shop = ANY($1) AND kind IN ('planned', 'cancelled', 'clicked') GROUP BY "notificationId", kind HAVING count(*) > 1`);
  await twice("consent event", `SELECT kind::text AS what, count(*)::int AS n FROM "ConsentEvent" WHERE shop = ANY($1) GROUP BY "subscriberId", kind, source, "occurredAt" HAVING count(*) > 1`);
  await twice("credit", `SELECT "orderId" AS what, count(*)::int AS n FROM "Attribution" WHERE shop = ANY($1) GROUP BY shop, "orderId" HAVING count(*) > 1`);
  await twice("data request", `SELECT coalesce("customerId", '') AS what, count(*)::int AS n FROM "DataRequest" WHERE shop = ANY($1) GROUP BY shop, "customerId" HAVING count(*) > 1`);

  const effects: Record<string, number> = {};
  for (const [name, sql] of Object.entries({
    tasks: `SELECT count(*)::int AS n FROM "Task" WHERE shop = ANY($1)`,
    messages_planned: `SELECT count(*)::int AS n FROM "Notification" WHERE shop = ANY($1) AND id <> '${notificationId}'`,
    credits: `SELECT count(*)::int AS n FROM "Attribution" WHERE shop = ANY($1)`,
    data_requests: `SELECT count(*)::int AS n FROM "DataRequest" WHERE shop = ANY($1)`,
    orders: `SELECT count(*)::int AS n FROM "Order" WHERE shop = ANY($1)`,
  })) {
    const [{ n }] = await h.sql<{ n: number }>(sql, [shops]);
    effects[name] = n;
  }
  // Nothing happened is no proof of "happened once": the replayed events must have had effects.
  if (effects.tasks === 0 || effects.orders === 0) violations.push(`the replayed events had no effect to check (${JSON.stringify(effects)})`);
  return { topics, deliveries: deliveries.length, non_200: non200, effects, violations };
}
