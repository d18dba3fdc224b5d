import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESKTOP_CHROME_UA, proxyFetch, signedProxyUrl } from "../../fakes/shopify/app-proxy";
import { signSessionToken } from "../../fakes/shopify/session-token";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import prisma from "../../../app/db.server";

/**
 * Generated malformed and hostile requests against the opt-in route: every one must be refused
 * with a 4xx and leave every consent table exactly as it was.
 */
let server: TestServer;
// A private copy of the build: other test runs may rebuild build/ while this one runs.
let build: ReturnType<typeof snapshotBuild> | undefined;
const shop = "hostile-optin.myshopify.com";
const TEXT = "Message me on WhatsApp from Hostile Store when this is back. Reply STOP to opt out.";

// Deterministic pseudo-random numbers so a failure can be replayed.
let seed = 20261125;
function random() {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
}
const pick = <T,>(items: T[]): T => items[Math.floor(random() * items.length)];

const valid = () => ({
  phone: "+34612345678",
  country: "ES",
  variantId: "5001",
  productId: "6001",
  source: "product_block",
  consentText: TEXT,
  textVersion: "v1",
  locale: "en",
  website: "",
});

const badPhones = ["", "1", "abc", "+0000000", "+34 1", "<script>alert(1)</script>", "+1 555 0100", "0".repeat(41), "+34612345678; DROP TABLE", "☎️612345678", "+999999999999", "javascript:alert(1)"];
const scripts = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'; DROP TABLE \"Subscriber\"; --", "{{7*7}}", "${7*7}", "\u0000", "../../etc/passwd"];
const textInjections = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{ customer.email }}", "{% render 'x' %}", "${process.env}", "\u0000", "\u001b[31m"];
const wrongTypes: unknown[] = [123, true, null, [], {}, ["+34612345678"], { $gt: "" }, Number.MAX_VALUE, -1];
const fields = ["phone", "country", "variantId", "productId", "source", "consentText", "textVersion", "locale", "cartToken", "website"];

type Attack = { name: string; send: () => Promise<Response> };

function postJson(body: unknown, opts: { signature?: string | null; timestamp?: number; shop?: string; raw?: string; contentType?: string } = {}) {
  return proxyFetch(
    server.url,
    server.secret,
    { shop: opts.shop ?? shop, path: "/optin", signature: opts.signature, timestamp: opts.timestamp },
    { body: opts.raw ?? JSON.stringify(body), contentType: opts.contentType ?? "application/json", forwardedFor: `10.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}` },
  );
}

function generate(count: number): Attack[] {
  const attacks: Attack[] = [];
  const makers: Array<() => Attack> = [
    () => ({ name: "bad signature", send: () => postJson(valid(), { signature: Array.from({ length: 64 }, () => pick([..."0123456789abcdef"])).join("") }) }),
    () => ({ name: "missing signature", send: () => postJson(valid(), { signature: null }) }),
    () => ({ name: "stale timestamp", send: () => postJson(valid(), { timestamp: Math.floor(Date.now() / 1000) - 91 - Math.floor(random() * 10000) }) }),
    () => ({ name: "future timestamp", send: () => postJson(valid(), { timestamp: Math.floor(Date.now() / 1000) + 200 + Math.floor(random() * 10000) }) }),
    () => ({ name: "signature for another shop", send: () => {
      const url = signedProxyUrl(server.url, "/proxy", { shop: "other.myshopify.com", path: "/optin" }, server.secret).replace("other.myshopify.com", shop);
      return fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "User-Agent": DESKTOP_CHROME_UA }, body: JSON.stringify(valid()) });
    } }),
    () => ({ name: "wrong secret", send: () => proxyFetch(server.url, "not-the-secret", { shop, path: "/optin" }, { body: JSON.stringify(valid()), contentType: "application/json" }) }),
    () => ({ name: "bad phone", send: () => postJson({ ...valid(), phone: pick(badPhones), variantId: String(Math.floor(random() * 1e6)) }) }),
    () => ({ name: "script in field", send: () => postJson({ ...valid(), [pick(fields)]: pick(scripts) }) }),
    () => ({ name: "script in consent text", send: () => postJson({ ...valid(), consentText: `${TEXT} ${pick(textInjections)}` }) }),
    () => ({ name: "wrong type", send: () => postJson({ ...valid(), [pick(fields)]: pick(wrongTypes) }) }),
    () => ({ name: "missing field", send: () => {
      const body: Record<string, unknown> = valid();
      delete body[pick(["phone", "source", "consentText", "textVersion", "locale", "variantId"])];
      return postJson(body);
    } }),
    () => ({ name: "honeypot filled", send: () => postJson({ ...valid(), website: pick(["x", "http://spam.example", " "]) }) }),
    () => ({ name: "consent text without WhatsApp or store", send: () => postJson({ ...valid(), consentText: pick(["Notify me when back in stock", "Send me SMS offers from Hostile Store", "WhatsApp me deals from some other shop"]) }) }),
    () => ({ name: "invalid JSON", send: () => postJson(null, { raw: pick(["{", "not json", "{\"phone\":", "[1,2", "\"string\"", "null", "[]", "123"]) }) }),
    () => ({ name: "wrong content type", send: () => postJson(valid(), { contentType: pick(["text/plain", "application/xml", "multipart/form-data; boundary=x", "image/png"]) }) }),
    () => ({ name: "oversized body", send: () => postJson({ ...valid(), consentText: TEXT + " ".repeat(20_000 + Math.floor(random() * 10_000)) }) }),
    () => ({ name: "huge body", send: () => postJson(null, { raw: JSON.stringify({ ...valid(), pad: "x".repeat(1_100_000) }) }) }),
    () => ({ name: "unknown shop", send: () => postJson(valid(), { shop: `${Math.floor(random() * 1e9)}.myshopify.com` }) }),
    () => ({ name: "admin source", send: () => postJson({ ...valid(), source: pick(["admin", "import", "whatsapp_reply", "checkout"]) }) }),
    () => ({ name: "long fields", send: () => postJson({ ...valid(), [pick(["textVersion", "locale", "cartToken", "variantId", "country"])]: "9".repeat(300) }) }),
  ];
  for (let i = 0; i < count; i++) {
    // Huge bodies are slow to build; keep a handful.
    const maker = i % 100 === 0 ? makers[16] : makers[i % makers.length === 16 ? 0 : i % makers.length];
    attacks.push(maker());
  }
  return attacks;
}

async function tableCounts() {
  const [subscribers, events, requests, notifications, carts, checkouts, subscriberRows] = await Promise.all([
    prisma.subscriber.count(),
    prisma.consentEvent.count(),
    prisma.backInStockRequest.count(),
    prisma.notification.count(),
    prisma.cart.count({ where: { subscriberId: { not: null } } }),
    prisma.checkout.count({ where: { subscriberId: { not: null } } }),
    prisma.subscriber.findMany({ select: { id: true, status: true, updatedAt: true }, orderBy: { id: "asc" } }),
  ]);
  return { subscribers, events, requests, notifications, carts, checkouts, subscriberRows: JSON.stringify(subscriberRows) };
}

beforeAll(async () => {
  build = snapshotBuild();
  server = await startTestServer({}, { root: build.root });
  await prisma.shop.create({ data: { shop, name: "Hostile Store", settings: { create: {} } } });
  await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", isOnline: false } });
  // One existing subscriber, so "unchanged" also covers updates to a real row.
  await prisma.subscriber.create({ data: { shop, phone: "+34612345678", callingCode: "34", countryCode: "ES", status: "subscribed" } });
});
afterAll(async () => {
  await server?.stop();
  build?.remove();
});

describe("hostile input to /proxy/optin", () => {
  it("refuses 1,200 generated requests with 4xx and writes nothing", { timeout: 300_000 }, async () => {
    const before = await tableCounts();
    const attacks = generate(1200);
    const outcomes = new Map<string, Set<number>>();
    const failures: string[] = [];
    for (let i = 0; i < attacks.length; i += 16) {
      await Promise.all(
        attacks.slice(i, i + 16).map(async (attack) => {
          const response = await attack.send();
          await response.arrayBuffer();
          const statuses = outcomes.get(attack.name) ?? new Set<number>();
          statuses.add(response.status);
          outcomes.set(attack.name, statuses);
          if (response.status < 400 || response.status >= 500) failures.push(`${attack.name}: ${response.status}`);
        }),
      );
    }
    console.log(Object.fromEntries([...outcomes].map(([name, statuses]) => [name, [...statuses].sort()])));
    expect(failures).toEqual([]);
    expect(outcomes.size).toBeGreaterThanOrEqual(19);
    expect(await tableCounts()).toEqual(before);
  });
});

describe("hostile input to /api/checkout-optin", () => {
  const checkoutBody = () => ({ phone: "+34612345678", source: "checkout", consentText: TEXT, textVersion: "v1", locale: "en", checkoutToken: "chk-1" });
  const send = (body: string, token: string | null, contentType = "application/json") =>
    fetch(`${server.url}/api/checkout-optin`, {
      method: "POST",
      headers: {
        "Content-Type": contentType,
        "User-Agent": DESKTOP_CHROME_UA,
        "X-Forwarded-For": `10.9.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`,
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body,
    });
  const good = () => signSessionToken({ shop, apiKey: server.apiKey, secret: server.secret });

  it("refuses 300 generated requests with 4xx and writes nothing", { timeout: 300_000 }, async () => {
    const before = await tableCounts();
    const makers: Array<() => Promise<Response>> = [
      () => send(JSON.stringify(checkoutBody()), null),
      () => send(JSON.stringify(checkoutBody()), signSessionToken({ shop, apiKey: server.apiKey, secret: "forged" })),
      () => send(JSON.stringify(checkoutBody()), signSessionToken({ shop, apiKey: server.apiKey, secret: server.secret, ttl: -120 })),
      () => send(JSON.stringify(checkoutBody()), "not.a.jwt"),
      () => send(JSON.stringify({ ...checkoutBody(), phone: pick(badPhones) }), good()),
      () => send(JSON.stringify({ ...checkoutBody(), [pick(["phone", "source", "consentText", "textVersion", "locale", "checkoutToken", "orderId"])]: pick(wrongTypes) }), good()),
      () => send(JSON.stringify({ ...checkoutBody(), [pick(["phone", "checkoutToken", "orderId", "locale", "textVersion"])]: pick(scripts) }), good()),
      () => send(JSON.stringify({ ...checkoutBody(), consentText: `${TEXT} ${pick(textInjections)}` }), good()),
      () => send(JSON.stringify({ ...checkoutBody(), source: pick(["product_block", "admin", "import", "cart_block"]) }), good()),
      () => send(pick(["{", "[]", "null", "\"x\""]), good()),
      () => send(JSON.stringify(checkoutBody()), good(), pick(["text/plain", "application/xml"])),
      () => send(JSON.stringify(checkoutBody()), signSessionToken({ shop: `${Math.floor(random() * 1e9)}.myshopify.com`, apiKey: server.apiKey, secret: server.secret })),
    ];
    const failures: string[] = [];
    for (let i = 0; i < 300; i += 12) {
      await Promise.all(
        makers.map(async (make, index) => {
          const response = await make();
          await response.arrayBuffer();
          if (response.status < 400 || response.status >= 500) failures.push(`checkout attack ${index}: ${response.status}`);
        }),
      );
    }
    expect(failures).toEqual([]);
    expect(await tableCounts()).toEqual(before);
  });
});
