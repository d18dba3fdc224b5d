import { createHash } from "node:crypto";
import {
  cartPayload,
  cartToken,
  checkoutPayload,
  customersRedactPayload,
  inventoryLevelPayload,
  orderPayload,
  productPayload,
  shopifyNumericId,
  shopRedactPayload,
} from "../fakes/shopify/payloads";
import { sendWebhook } from "../fakes/shopify/webhooks";
import { checkoutOptIn as checkoutOptInAs, storefrontOptIn } from "../support/storefront-optin";
import { seedCatalogue } from "../../bench/seed";
import { API_KEY, SECRET, rowsMentioning, type Harness } from "./harness";

/**
 * Shops are tenants: one shop's webhooks and storefront calls, even when they name the other's
 * ids, customers and phones, leave the other's rows exactly as they were. And Shopify's privacy
 * webhooks leave no trace of the person (phone in any form, email) in any column of any table.
 */
interface Person {
  customerId: number;
  email: string;
  e164: string;
  national: string;
}

interface ShopHistory {
  shop: string;
  person: Person;
  cart: string;
  checkout: string;
  orderId: number;
  item: { variantId: number; productId: number; inventoryItemId: number };
}

async function install(h: Harness, shop: string, n: number) {
  await h.addShop({ shop, phoneNumberId: `59${n}1`, wabaId: `69${n}1`, token: `token-${n}`, messagesPerSecond: 80 });
  await h.sql(`INSERT INTO "Session" (id, shop, state, "isOnline", "accessToken", scope) VALUES ($1, $2, '', false, $3, 'read_products')`, [`offline_${shop}`, shop, `shpat_${n}`]);
}

const optIn = (h: Harness, shop: string, phone: string, variantId: number, ip: string) =>
  storefrontOptIn({ appUrl: h.url, secret: SECRET, shop }, phone, "product", { variantId: String(variantId), forwardedFor: ip });

const checkoutOptIn = (h: Harness, shop: string, phone: string) => checkoutOptInAs({ appUrl: h.url, secret: SECRET, shop, apiKey: API_KEY }, phone);

/** A shopper with a history: storefront opt-in, cart, checkout, order, stock level. */
async function history(h: Harness, shop: string, person: Person, first: number, ip: string): Promise<ShopHistory> {
  const [item] = await seedCatalogue(h.app, shop, 1, first);
  const line = { variantId: item.variantId, productId: item.productId, title: "Shirt", quantity: 1, price: "20.00" };
  const customer = { id: person.customerId, email: person.email, phone: person.e164 };
  const problems: string[] = [];
  const expect200 = async (what: string, response: Promise<Response>) => {
    const r = await response;
    if (r.status >= 300) problems.push(`${what}: ${r.status} ${await r.text()}`);
  };
  await expect200("opt-in", optIn(h, shop, person.e164, item.variantId, ip));
  const cart = cartPayload({ token: cartToken(), lines: [line], updatedAt: new Date() });
  await expect200("cart", sendWebhook(h.url, SECRET, { topic: "carts/create", shop, payload: cart }));
  const checkout = checkoutPayload({ cartToken: cart.token, email: person.email, phone: person.national, customer, lines: [line], updatedAt: new Date() });
  await expect200("checkout", sendWebhook(h.url, SECRET, { topic: "checkouts/create", shop, payload: checkout }));
  const orderId = shopifyNumericId();
  const order = orderPayload({ id: orderId, cartToken: cart.token, checkoutToken: checkout.token, email: person.email, shippingPhone: person.national, customer, lines: [line], createdAt: new Date() });
  await expect200("order", sendWebhook(h.url, SECRET, { topic: "orders/create", shop, payload: order }));
  await expect200("stock", sendWebhook(h.url, SECRET, { topic: "inventory_levels/update", shop, payload: inventoryLevelPayload({ inventoryItemId: item.inventoryItemId, locationId: 1, available: 4, updatedAt: new Date() }) }));
  if (problems.length > 0) throw new Error(`seeding ${shop} failed: ${problems.join("; ")}`);
  return { shop, person, cart: cart.token, checkout: checkout.token, orderId, item };
}

/** A fingerprint of every row a shop owns, table by table. */
async function shopRows(h: Harness, shop: string): Promise<Record<string, string>> {
  const tables = await h.sql<{ t: string }>(
    `SELECT table_name::text AS t FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'shop' ORDER BY 1`,
    [h.schema],
  );
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    // A task's lease, attempts and status move as the shop's own background work runs; what it
    // is about (kind, key, payload) is what another shop must not touch.
    const columns = t === "Task" ? `x.kind || ' ' || coalesce(x."dedupKey", '') || ' ' || x.payload::text` : "x::text";
    const rows = await h.sql<{ r: string }>(`SELECT ${columns} AS r FROM "${t}" x WHERE shop = $1 ORDER BY 1`, [shop]);
    out[t] = `${rows.length}:${createHash("sha256").update(rows.map((r) => r.r).join("\n")).digest("hex").slice(0, 16)}`;
  }
  return out;
}

export interface IsolationResult {
  calls: number;
  violations: string[];
}

export async function tenantIsolation(h: Harness): Promise<IsolationResult> {
  const a = "tenant-a.myshopify.com";
  const b = "tenant-b.myshopify.com";
  await install(h, a, 1);
  await install(h, b, 2);
  const histories: Record<string, ShopHistory> = {
    [a]: await history(h, a, { customerId: shopifyNumericId(), email: "ana@tenant-a.example", e164: "+34611000001", national: "611 000 001" }, 9101, "198.51.100.31"),
    [b]: await history(h, b, { customerId: shopifyNumericId(), email: "bo@tenant-b.example", e164: "+34611000002", national: "611 000 002" }, 9201, "198.51.100.32"),
  };
  // Let the shops' own deferred work run first, so what changes later is what the other caused.
  await h.app.call("startTasks");
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  await h.app.call("stopTasks");
  const violations: string[] = [];
  let calls = 0;
  for (const [actor, victim] of [[a, b], [b, a]]) {
    const theirs = histories[victim];
    const before = await shopRows(h, victim);
    const now = new Date();
    const line = { variantId: theirs.item.variantId, productId: theirs.item.productId, title: "Shirt", quantity: 9, price: "1.00" };
    const customer = { id: theirs.person.customerId, email: theirs.person.email, phone: theirs.person.e164 };
    const hostile: Array<Promise<Response>> = [
      sendWebhook(h.url, SECRET, { topic: "carts/update", shop: actor, payload: cartPayload({ token: theirs.cart, lines: [line], updatedAt: now }) }),
      sendWebhook(h.url, SECRET, { topic: "checkouts/update", shop: actor, payload: checkoutPayload({ token: theirs.checkout, cartToken: theirs.cart, email: theirs.person.email, customer, lines: [line], updatedAt: now, completedAt: now }) }),
      sendWebhook(h.url, SECRET, { topic: "orders/create", shop: actor, payload: orderPayload({ id: theirs.orderId, cartToken: theirs.cart, checkoutToken: theirs.checkout, email: theirs.person.email, customer, lines: [line], createdAt: now }) }),
      sendWebhook(h.url, SECRET, { topic: "orders/paid", shop: actor, payload: orderPayload({ id: theirs.orderId, cartToken: theirs.cart, checkoutToken: theirs.checkout, customer, lines: [line], createdAt: now, financialStatus: "paid" }) }),
      sendWebhook(h.url, SECRET, { topic: "inventory_levels/update", shop: actor, payload: inventoryLevelPayload({ inventoryItemId: theirs.item.inventoryItemId, locationId: 1, available: 0, updatedAt: now }) }),
      sendWebhook(h.url, SECRET, { topic: "products/update", shop: actor, payload: productPayload({ id: theirs.item.productId, title: "Renamed", variants: [{ id: theirs.item.variantId, inventoryItemId: theirs.item.inventoryItemId, price: "1.00", inventoryQuantity: 0 }], updatedAt: now }) }),
      sendWebhook(h.url, SECRET, { topic: "customers/redact", shop: actor, payload: customersRedactPayload({ shop: actor, customer: { id: theirs.person.customerId, email: theirs.person.email, phone: theirs.person.national }, ordersToRedact: [theirs.orderId] }) }),
      optIn(h, actor, theirs.person.e164, theirs.item.variantId, "198.51.100.40"),
      checkoutOptIn(h, actor, theirs.person.e164),
    ];
    const statuses = await Promise.all(hostile.map((p) => p.then((r) => r.status, () => 0)));
    calls += statuses.length;
    // The task runner picks up what those webhooks deferred (restock, order and cart events).
    await h.app.call("startTasks");
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await h.app.call("stopTasks");
    const after = await shopRows(h, victim);
    for (const table of Object.keys(before)) {
      if (before[table] !== after[table]) violations.push(`${actor} changed ${victim}'s ${table} rows (${before[table]} -> ${after[table]})`);
    }
  }
  return { calls, violations };
}

export interface RedactResult {
  needles: number;
  seeded_mentions: number;
  left: Record<string, Record<string, number>>;
  pii_left: number;
}

export async function redaction(h: Harness): Promise<RedactResult> {
  const shopper = "redact-one.myshopify.com";
  const gone = "redact-shop.myshopify.com";
  await install(h, shopper, 3);
  await install(h, gone, 4);
  const ana = { customerId: shopifyNumericId(), email: "ana.redact@example.com", e164: "+34622000101", national: "622 000 101" };
  const cy = { customerId: shopifyNumericId(), email: "cy.shopgone@example.com", e164: "+34622000202", national: "622 000 202" };
  const anaHistory = await history(h, shopper, ana, 9301, "198.51.100.51");
  await checkoutOptIn(h, shopper, ana.e164);
  await history(h, gone, cy, 9401, "198.51.100.52");

  const needles = (p: Person) => [p.e164, p.e164.slice(1), p.e164.slice(3), p.national, p.email];
  let seeded = 0;
  for (const n of [...needles(ana), ...needles(cy)]) seeded += Object.values(await rowsMentioning(h, n)).reduce((x, y) => x + y, 0);

  const redact = await sendWebhook(h.url, SECRET, {
    topic: "customers/redact",
    shop: shopper,
    payload: customersRedactPayload({ shop: shopper, customer: { id: ana.customerId, email: ana.email, phone: ana.national }, ordersToRedact: [anaHistory.orderId] }),
  });
  // Shopify sends shop/redact 48 hours after the uninstall; an installed shop is never erased.
  const uninstalled = await sendWebhook(h.url, SECRET, { topic: "app/uninstalled", shop: gone, payload: { id: 9401, myshopify_domain: gone } });
  const shopGone = await sendWebhook(h.url, SECRET, { topic: "shop/redact", shop: gone, payload: shopRedactPayload({ shop: gone }) });
  if (redact.status !== 200 || uninstalled.status !== 200 || shopGone.status !== 200) {
    throw new Error(`redact webhooks answered ${redact.status} / ${uninstalled.status} / ${shopGone.status}`);
  }
  // Anything the redaction deferred runs now.
  await h.app.call("startTasks");
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await h.app.call("stopTasks");

  const left: Record<string, Record<string, number>> = {};
  for (const n of [...needles(ana), ...needles(cy)]) {
    const found = await rowsMentioning(h, n);
    if (Object.keys(found).length > 0) left[n] = found;
  }
  return {
    needles: needles(ana).length + needles(cy).length,
    seeded_mentions: seeded,
    left,
    pii_left: Object.values(left).reduce((sum, t) => sum + Object.values(t).reduce((x, y) => x + y, 0), 0),
  };
}
