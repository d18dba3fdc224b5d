import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESKTOP_CHROME_UA } from "../../fakes/shopify/app-proxy";
import { embeddedQuery, signSessionToken } from "../../fakes/shopify/session-token";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import prisma from "../../../app/db.server";

let server: TestServer;
// A private copy of the build: other test runs may rebuild build/ while this one runs.
let snapshot: ReturnType<typeof snapshotBuild> | undefined;
const SHOP_A = "subs-alpha.myshopify.com";
const SHOP_B = "subs-bravo.myshopify.com";

function asShop(shop: string, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${signSessionToken({ shop, apiKey: server.apiKey, secret: server.secret })}`);
  headers.set("user-agent", DESKTOP_CHROME_UA);
  return fetch(`${server.url}${path}`, { ...init, headers, redirect: "manual" });
}

async function seed(shop: string, phones: string[]) {
  await prisma.shop.create({ data: { shop, name: shop, settings: { create: {} } } });
  await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", isOnline: false } });
  const ids: string[] = [];
  for (const [i, phone] of phones.entries()) {
    const s = await prisma.subscriber.create({
      data: { shop, phone, callingCode: "34", countryCode: "ES", status: "subscribed", createdAt: new Date(Date.UTC(2026, 10, 1, 0, i)) },
    });
    await prisma.consentEvent.create({
      data: { shop, subscriberId: s.id, kind: "opt_in", source: i % 2 ? "cart_block" : "product_block", text: "=HYPERLINK(\"x\") WhatsApp", textVersion: "v1" },
    });
    await prisma.notification.create({
      data: { shop, flow: "promotion", dedupKey: `promo:${s.id}`, subscriberId: s.id, sendAt: new Date(Date.now() + 3600_000), templateName: "promo" },
    });
    ids.push(s.id);
  }
  return ids;
}

let alpha: string[];
let bravo: string[];

beforeAll(async () => {
  snapshot = snapshotBuild();
  server = await startTestServer({}, { root: snapshot.root });
  alpha = await seed(SHOP_A, Array.from({ length: 55 }, (_, i) => `+346120${String(i).padStart(5, "0")}`));
  bravo = await seed(SHOP_B, ["+34699999999"]);
});
afterAll(async () => {
  await server?.stop();
  snapshot?.remove();
});

describe("admin subscribers", () => {
  it("lists only the shop's subscribers, filtered and searchable", async () => {
    const page = await (await asShop(SHOP_A, `/app/subscribers?${embeddedQuery(SHOP_A, signSessionToken({ shop: SHOP_A, apiKey: server.apiKey, secret: server.secret }))}`)).text();
    expect(page).toContain("+34612000054");
    expect(page).not.toContain("+34699999999");
    const search = await (await asShop(SHOP_A, `/app/subscribers?q=612000007&${embeddedQuery(SHOP_A, signSessionToken({ shop: SHOP_A, apiKey: server.apiKey, secret: server.secret }))}`)).text();
    expect(search).toContain("+34612000007");
    expect(search).not.toContain("+34612000008");
  });

  it("exports CSV for the shop only, with formula cells neutralised", async () => {
    const response = await asShop(SHOP_A, "/app/subscribers/export?source=cart_block");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    const lines = (await response.text()).trim().split("\r\n");
    expect(lines).toHaveLength(1 + 27);
    expect(lines.some((l) => l.includes("+34699999999"))).toBe(false);
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"") WhatsApp"`);
  });

  it("opts a shopper out from the admin, cancelling what was scheduled, and never across shops", async () => {
    const form = new URLSearchParams({ intent: "opt_out", note: "Asked by email" });
    const foreign = await asShop(SHOP_A, `/app/subscribers/${bravo[0]}`, { method: "POST", body: form, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(foreign.status).toBe(404);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: bravo[0] } })).status).toBe("subscribed");

    const response = await asShop(SHOP_A, `/app/subscribers/${alpha[3]}`, { method: "POST", body: form, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(response.status).toBe(200);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: alpha[3] } })).status).toBe("unsubscribed");
    const event = await prisma.consentEvent.findFirstOrThrow({ where: { subscriberId: alpha[3], kind: "opt_out" } });
    expect(event).toMatchObject({ source: "admin", text: "Asked by email" });
    expect((await prisma.notification.findFirstOrThrow({ where: { subscriberId: alpha[3] } })).status).toBe("cancelled");
  });
});
