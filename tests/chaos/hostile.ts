import { createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import {
  cartPayload,
  cartToken,
  checkoutPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  inventoryLevelPayload,
  orderPayload,
  productPayload,
  shopRedactPayload,
} from "../fakes/shopify/payloads";
import { DESKTOP_CHROME_UA, signedProxyUrl } from "../fakes/shopify/app-proxy";
import { signSessionToken } from "../fakes/shopify/session-token";
import { signShopifyBody, webhookPath, webhookRequest } from "../fakes/shopify/webhooks";
import { API_KEY, SECRET, WHATSAPP_APP_SECRET, tableCounts, type Harness } from "./harness";

/**
 * Malformed and hostile requests to every public entry point: Shopify webhooks, the WhatsApp
 * webhook, the app proxy opt-in and the checkout opt-in. Each must be answered 4xx and leave
 * every table's row count as it was; the server must still work afterwards.
 *
 * Garbage correctly signed with the app's secret is the exception: only Shopify can sign, so it is
 * a delivery the app cannot apply, kept for an operator (FailedWebhook) and answered 200
 * (docs/decisions/022-lossless-ids-and-failed-deliveries.md). Each is sent twice: it must be kept
 * exactly once, within the per-shop bound, and change no other table.
 */
export interface HostileResult {
  bad_inputs: number;
  answered_4xx: number;
  not_4xx: Array<{ name: string; status: number }>;
  tables_changed: Record<string, { before: number; after: number }>;
  rows_stored: number;
  /** Signed garbage: sent twice each, kept once each in FailedWebhook, nothing else written */
  signed_bad_inputs: number;
  signed_not_2xx: Array<{ name: string; status: number }>;
  signed_kept: number;
  signed_tables_changed: Record<string, { before: number; after: number }>;
  /** Opt-in attempts counted per client IP before the form is parsed: the rate limit itself. */
  rate_limit_rows: number;
  healthy_after: boolean;
}

interface Case {
  name: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export const INJECTIONS = [
  `'; DROP TABLE "Subscriber"; --`,
  `' OR '1'='1`,
  `1 OR 1=1`,
  `"; SELECT pg_sleep(5); --`,
  `$(touch /tmp/pwned)`,
  "`id`",
  "${7*7}",
  "{{7*7}}",
  "{% raw %}",
  "<script>alert(1)</script>",
  `<img src=x onerror=alert(1)>`,
  "../../../../etc/passwd",
  "\u0000",
  "%00%0d%0a",
  "\r\nSet-Cookie: a=b",
  "__proto__",
  `{"__proto__":{"admin":true}}`,
  "constructor",
  "A".repeat(5000),
  "😀".repeat(500),
  "\uFFFF\uD800",
  "-1",
  "1e309",
  "NaN",
  "null",
];

const WEBHOOK_TOPICS = [
  "carts/create",
  "carts/update",
  "checkouts/create",
  "checkouts/update",
  "orders/create",
  "orders/paid",
  "orders/cancelled",
  "products/update",
  "inventory_levels/update",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
  "app/uninstalled",
  "app/scopes_update",
];

/** Topics whose signed body is checked against a schema (shop/redact, uninstall and scopes take anything Shopify signs). */
const SCHEMA_TOPICS = WEBHOOK_TOPICS.filter((t) => !["shop/redact", "app/uninstalled", "app/scopes_update"].includes(t));

function validPayload(topic: string, shop: string): unknown {
  const now = new Date();
  const line = { variantId: 1001, productId: 2001, title: "Shirt", quantity: 1, price: "10.00" };
  switch (topic) {
    case "carts/create":
    case "carts/update":
      return cartPayload({ token: cartToken(), lines: [line], updatedAt: now });
    case "checkouts/create":
    case "checkouts/update":
      return checkoutPayload({ lines: [line], updatedAt: now });
    case "orders/create":
    case "orders/paid":
    case "orders/cancelled":
      return orderPayload({ lines: [line], createdAt: now });
    case "products/update":
      return productPayload({ id: 2001, title: "Shirt", variants: [], updatedAt: now });
    case "inventory_levels/update":
      return inventoryLevelPayload({ inventoryItemId: 3001, locationId: 1, available: 5, updatedAt: now });
    case "customers/data_request":
      return customersDataRequestPayload({ shop, customer: { id: 1, email: "a@example.com" } });
    case "customers/redact":
      return customersRedactPayload({ shop, customer: { id: 1, email: "a@example.com" } });
    case "shop/redact":
      return shopRedactPayload({ shop });
    default:
      return {};
  }
}

const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
const WRONG_ROOTS = ["[]", '"text"', "123", "null", "true", "{}", '{"id":{"$gt":""}}', "[{}]"];

function webhookCases(url: string, shop: string): { cases: Case[]; signedCases: Case[] } {
  const cases: Case[] = [];
  const signedCases: Case[] = [];
  for (const topic of WEBHOOK_TOPICS) {
    const good = JSON.stringify(validPayload(topic, shop));
    const injected = INJECTIONS.map((s) => JSON.stringify({ id: s, token: s, shop_domain: s, updated_at: s }));
    const signed = (body: string | Buffer, hmac: string | null, name: string) => {
      const { headers } = webhookRequest({ topic, shop, payload: null, rawBody: body, hmac }, SECRET);
      cases.push({ name: `webhook ${topic}: ${name}`, url: url + webhookPath(topic), method: "POST", headers, body });
    };
    for (const [i, body] of [good, ...injected].entries()) {
      signed(body, null, `no signature #${i}`);
      signed(body, randomBytes(32).toString("base64"), `random signature #${i}`);
      signed(body, signShopifyBody(body, "some-other-secret"), `other app's secret #${i}`);
      signed(body, signShopifyBody(body + " ", SECRET), `signature of another body #${i}`);
    }
    signed(Buffer.alloc(8 * 1024 * 1024, "a"), randomBytes(32).toString("base64"), "8 MB unsigned");
    // Over the body limit: refused before the signature is read.
    signed(Buffer.alloc(4 * 1024 * 1024, "x"), signShopifyBody(Buffer.alloc(4 * 1024 * 1024, "x"), SECRET), "signed 4 MB of garbage");
    if (!SCHEMA_TOPICS.includes(topic)) continue;
    const sign = (body: string | Buffer, name: string) => {
      const { headers } = webhookRequest({ topic, shop, payload: null, rawBody: body }, SECRET);
      signedCases.push({ name: `webhook ${topic}: ${name}`, url: url + webhookPath(topic), method: "POST", headers, body });
    };
    for (const body of WRONG_ROOTS) sign(body, `signed wrong type ${body}`);
    for (const [i, body] of injected.entries()) sign(body, `signed injection #${i}`);
    sign("{not json", "signed broken JSON");
    sign(good.slice(0, -5), "signed truncated JSON");
    sign(deep(100_000), "signed 100k-deep array");
    sign(deepObject(20_000), "signed 20k-deep object");
  }
  return { cases, signedCases };
}

function whatsappCases(url: string): Case[] {
  const cases: Case[] = [];
  const body = (s: string) =>
    JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: s, changes: [{ field: "messages", value: { metadata: { phone_number_id: s }, statuses: [{ id: s, status: "read" }] } }] }] });
  for (const [i, s] of INJECTIONS.entries()) {
    const b = body(s);
    const post = (signature: string | null, name: string) =>
      cases.push({
        name: `whatsapp webhook: ${name} #${i}`,
        url: `${url}/whatsapp/webhook`,
        method: "POST",
        headers: { "Content-Type": "application/json", ...(signature ? { "X-Hub-Signature-256": signature } : {}) },
        body: b,
      });
    post(null, "no signature");
    post("sha256=" + randomBytes(32).toString("hex"), "random signature");
    post("sha256=" + createHmac("sha256", "not-the-secret").update(b).digest("hex"), "other secret");
    post(createHmac("sha256", WHATSAPP_APP_SECRET).update(b).digest("hex"), "signature without sha256= prefix");
    cases.push({
      name: `whatsapp verify: wrong token #${i}`,
      url: `${url}/whatsapp/webhook?${new URLSearchParams({ "hub.mode": "subscribe", "hub.verify_token": s, "hub.challenge": "12345" })}`,
      method: "GET",
      headers: {},
    });
  }
  cases.push({
    name: "whatsapp webhook: 8 MB unsigned",
    url: `${url}/whatsapp/webhook`,
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Hub-Signature-256": "sha256=00" },
    body: Buffer.alloc(8 * 1024 * 1024, "a"),
  });
  return cases;
}

// The consent text must name the store (shop name or handle) and WhatsApp.
const CONSENT = "Send me a WhatsApp message from hostile when this is back in stock. Reply STOP to opt out.";
const optInForm = (extra: Record<string, unknown> = {}) => ({
  phone: "612 345 678",
  country: "ES",
  variantId: "4001",
  source: "product_block",
  consentText: CONSENT,
  textVersion: "v1",
  locale: "es",
  ...extra,
});
const FIELDS = ["phone", "country", "variantId", "source", "textVersion", "locale", "consentText"];

function bodyCases(good: Record<string, unknown>): Array<{ name: string; body: string | Buffer; type: string }> {
  const out: Array<{ name: string; body: string | Buffer; type: string }> = [];
  for (const field of FIELDS) {
    for (const [i, s] of INJECTIONS.entries()) {
      // An injection in consentText that is plain prose would be a real opt-in; those in the
      // list all carry markup, template syntax, control characters or are too long.
      // eslint-disable-next-line no-control-regex -- a NUL byte is one of the hostile inputs
      if (field === "consentText" && !/[<>{}$\u0000\r]|^A{5000}$/.test(s)) continue;
      // "__proto__" or "-1" is a well-formed version label; only values outside the pattern are hostile there.
      if (field === "textVersion" && /^[A-Za-z0-9._-]{1,40}$/.test(s)) continue;
      out.push({ name: `${field}=injection #${i}`, body: JSON.stringify({ ...good, [field]: s }), type: "application/json" });
    }
    for (const wrong of [123, true, null, [], {}, ["612345678"]]) out.push({ name: `${field}=${JSON.stringify(wrong)}`, body: JSON.stringify({ ...good, [field]: wrong }), type: "application/json" });
  }
  for (const root of WRONG_ROOTS) out.push({ name: `body ${root}`, body: root, type: "application/json" });
  out.push({ name: "broken JSON", body: "{phone:", type: "application/json" });
  out.push({ name: "XML", body: "<optin><phone>612345678</phone></optin>", type: "application/xml" });
  out.push({ name: "1 MB body", body: JSON.stringify({ ...good, consentText: "a ".repeat(500_000) }), type: "application/json" });
  out.push({ name: "100k-deep body", body: deep(100_000), type: "application/json" });
  out.push({ name: "phone invalid", body: JSON.stringify({ ...good, phone: "+34 1" }), type: "application/json" });
  out.push({ name: "honeypot filled", body: JSON.stringify({ ...good, website: "http://spam.example" }), type: "application/json" });
  return out;
}

function proxyCases(url: string, shop: string, unknownShop: string): Case[] {
  const cases: Case[] = [];
  const headers = (type: string, ip: number) => ({ "Content-Type": type, "User-Agent": DESKTOP_CHROME_UA, "X-Forwarded-For": `203.0.113.${ip % 250}` });
  const good = JSON.stringify(optInForm());
  let ip = 0;
  const forwards = [
    { name: "no signature", forward: { shop, path: "/optin", signature: null } },
    { name: "random signature", forward: { shop, path: "/optin", signature: randomBytes(32).toString("hex") } },
    { name: "stale timestamp", forward: { shop, path: "/optin", timestamp: Math.floor(Date.now() / 1000) - 3600 } },
    { name: "unknown shop", forward: { shop: unknownShop, path: "/optin" } },
  ];
  for (const { name, forward } of forwards) {
    for (let i = 0; i < 10; i++) {
      cases.push({ name: `proxy: ${name} #${i}`, url: signedProxyUrl(url, "/proxy", forward, SECRET), method: "POST", headers: headers("application/json", ip++), body: good });
    }
  }
  cases.push({ name: "proxy: other app's secret", url: signedProxyUrl(url, "/proxy", { shop, path: "/optin" }, "other-secret"), method: "POST", headers: headers("application/json", ip++), body: good });
  for (const c of bodyCases(optInForm())) {
    cases.push({ name: `proxy: ${c.name}`, url: signedProxyUrl(url, "/proxy", { shop, path: "/optin" }, SECRET), method: "POST", headers: headers(c.type, ip++), body: c.body });
  }
  return cases;
}

function checkoutCases(url: string, shop: string, unknownShop: string): Case[] {
  const cases: Case[] = [];
  const good = optInForm({ source: "checkout", variantId: undefined });
  const headers = (token: string | null, type = "application/json") => ({
    "Content-Type": type,
    "User-Agent": DESKTOP_CHROME_UA,
    Origin: "https://extensions.shopifycdn.com",
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  });
  const token = (over: Partial<Parameters<typeof signSessionToken>[0]> = {}) => signSessionToken({ shop, apiKey: API_KEY, secret: SECRET, ...over });
  const bad: Array<[string, string | null]> = [
    ["no token", null],
    ["not a JWT", "abc.def"],
    ["other secret", token({ secret: "other-secret" })],
    ["expired", token({ now: Date.now() - 3_600_000 })],
    // Another app's token is signed with that app's secret for its own client id.
    ["another app's token", token({ apiKey: "other-app", secret: "other-app-secret" })],
    ["unknown shop", token({ shop: unknownShop })],
    ["alg none", `${Buffer.from('{"alg":"none"}').toString("base64url")}.${token().split(".")[1]}.`],
  ];
  for (const [name, t] of bad) {
    for (let i = 0; i < 8; i++) cases.push({ name: `checkout: ${name} #${i}`, url: `${url}/api/checkout-optin`, method: "POST", headers: headers(t), body: JSON.stringify(good) });
  }
  for (const c of bodyCases(good)) {
    if (c.name.startsWith("variantId")) continue;
    cases.push({ name: `checkout: ${c.name}`, url: `${url}/api/checkout-optin`, method: "POST", headers: headers(token(), c.type), body: c.body });
  }
  return cases;
}

/**
 * The status the server answered, 0 if none. Over raw HTTP rather than fetch: a server may answer
 * 4xx before it has read a huge body and then close the connection, which fetch reports as a
 * network error even though the answer arrived.
 */
function send(c: Case): Promise<number> {
  return new Promise((resolve) => {
    const url = new URL(c.url);
    let status = 0;
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: c.method, headers: c.body === undefined ? c.headers : { ...c.headers, "Content-Length": Buffer.byteLength(c.body) } },
      (res) => {
        status = res.statusCode ?? 0;
        res.resume();
        res.on("end", () => resolve(status));
        res.on("error", () => resolve(status));
      },
    );
    req.on("error", () => setTimeout(() => resolve(status), 20));
    req.setTimeout(30_000, () => req.destroy());
    req.end(c.body);
  });
}

function changedTables(before: Record<string, number>, after: Record<string, number>) {
  const changed: Record<string, { before: number; after: number }> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[table] !== after[table]) changed[table] = { before: before[table] ?? 0, after: after[table] ?? 0 };
  }
  return changed;
}

export async function hostileInputs(h: Harness): Promise<HostileResult> {
  const shop = { shop: "hostile.myshopify.com", phoneNumberId: "5501", wabaId: "6501", token: "token-hostile", messagesPerSecond: 80 };
  await h.addShop(shop);
  await h.sql(`INSERT INTO "Session" (id, shop, state, "isOnline", "accessToken", scope) VALUES ($1, $2, '', false, 'shpat_chaos', 'read_products')`, [`offline_${shop.shop}`, shop.shop]);
  const unknownShop = "never-installed.myshopify.com";
  const webhooks = webhookCases(h.url, shop.shop);
  const cases = [...webhooks.cases, ...whatsappCases(h.url), ...proxyCases(h.url, shop.shop, unknownShop), ...checkoutCases(h.url, shop.shop, unknownShop)];

  const before = await tableCounts(h);
  const notFourXX: Array<{ name: string; status: number }> = [];
  const queue = [...cases];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const status = await send(c);
        if (status < 400 || status >= 500) notFourXX.push({ name: c.name, status });
      }
    }),
  );
  const after = await tableCounts(h);
  const changed = changedTables(before, after);

  // Signed garbage, each twice (a retry, or a captured body replayed): kept once, nothing else.
  const signedNot2xx: Array<{ name: string; status: number }> = [];
  const signedQueue = [...webhooks.signedCases, ...webhooks.signedCases];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let c = signedQueue.shift(); c; c = signedQueue.shift()) {
        const status = await send(c);
        if (status < 200 || status >= 300) signedNot2xx.push({ name: c.name, status });
      }
    }),
  );
  const afterSigned = await tableCounts(h);
  const signedChanged = changedTables(after, afterSigned);
  const kept = signedChanged.FailedWebhook ? signedChanged.FailedWebhook.after - signedChanged.FailedWebhook.before : 0;
  delete signedChanged.FailedWebhook;

  // Still healthy: a genuine webhook and a genuine opt-in go through.
  const genuine = webhookRequest({ topic: "carts/update", shop: shop.shop, payload: validPayload("carts/update", shop.shop) }, SECRET);
  const webhookOk = (await send({ name: "genuine", url: h.url + webhookPath("carts/update"), method: "POST", headers: genuine.headers, body: genuine.body })) === 200;
  const optIn = await send({
    name: "genuine opt-in",
    url: signedProxyUrl(h.url, "/proxy", { shop: shop.shop, path: "/optin" }, SECRET),
    method: "POST",
    headers: { "Content-Type": "application/json", "User-Agent": DESKTOP_CHROME_UA, "X-Forwarded-For": "198.51.100.99" },
    // A number no hostile case used: the phone rate limit counts per number.
    body: JSON.stringify(optInForm({ phone: "699 000 123" })),
  });
  return {
    bad_inputs: cases.length,
    answered_4xx: cases.length - notFourXX.length,
    not_4xx: notFourXX,
    tables_changed: changed,
    rows_stored: Object.entries(changed)
      .filter(([table]) => table !== "RateCounter")
      .reduce((sum, [, c]) => sum + Math.abs(c.after - c.before), 0),
    rate_limit_rows: (after.RateCounter ?? 0) - (before.RateCounter ?? 0),
    signed_bad_inputs: webhooks.signedCases.length,
    signed_not_2xx: signedNot2xx,
    signed_kept: kept,
    signed_tables_changed: signedChanged,
    healthy_after: webhookOk && optIn >= 200 && optIn < 300,
  };
}
