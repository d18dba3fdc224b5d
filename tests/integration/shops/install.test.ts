import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultOperations, startFakeShopifyAdmin, type FakeShopifyAdmin } from "../../fakes/shopify/admin";
import { cartPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import { signSessionToken } from "../../fakes/shopify/session-token";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, TEST_API_KEY, TEST_SECRET, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import prisma from "../../../app/db.server";
import { createAppTaskRegistry } from "../../../app/background.server";
import * as runner from "../../../app/tasks/runner.server";
import { manualClock } from "../../../app/shared/clock";

// The app's registry, as the web process and workers build it at start-up.
const registry = createAppTaskRegistry();
const runDueTasks = (owner: string, options?: runner.RunnerOptions) => runner.runDueTasks(owner, registry, options);

/**
 * Installing Rebound on a fresh database the way an embedded app is installed: the admin loads
 * the app with a session token, the app exchanges it for an offline token at the (fake) shop,
 * and afterAuth reads the shop's details from an Admin API that holds every operation to
 * Shopify's published schema and the installation's granted scopes.
 */
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const HAPPY = "fresh-install.myshopify.com";
const FLAKY = "flaky-install.myshopify.com";
const OLD = "old-scopes.myshopify.com";
/** What Rebound asked for before it asked for read_locales. */
const OLD_SCOPES = ["read_products", "read_inventory", "read_orders", "read_customers", "read_discounts", "write_discounts"];

let server: TestServer;
let admin: FakeShopifyAdmin;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;

/** The admin opening the embedded app: a fresh session token, as App Bridge sends it. */
const openAdmin = (shop: string) =>
  fetch(`${server.url}/app`, {
    headers: { authorization: `Bearer ${signSessionToken({ shop, apiKey: TEST_API_KEY, secret: TEST_SECRET })}`, "user-agent": CHROME_UA },
  });

const cartWebhook = (shop: string) =>
  sendWebhook(server.url, server.secret, {
    topic: "carts/create",
    shop,
    payload: cartPayload({ lines: [{ variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Mug", quantity: 1, price: "9.00" }], updatedAt: new Date() }),
  });

beforeAll(async () => {
  snapshot = snapshotBuild();
  admin = await startFakeShopifyAdmin({ app: { apiKey: TEST_API_KEY, secret: TEST_SECRET } });
  admin.store.seedShop({ domain: HAPPY, accessToken: "shpat_unused", name: "Casa Fresca", currencyCode: "EUR", ianaTimezone: "Europe/Lisbon", countryCode: "PT", locales: [{ locale: "en", primary: false }, { locale: "pt-PT", primary: true }] });
  admin.store.seedShop({ domain: FLAKY, accessToken: "shpat_unused", name: "Flaky Goods", currencyCode: "CAD", ianaTimezone: "America/Toronto", countryCode: "CA" });
  admin.store.seedShop({ domain: OLD, accessToken: "shpat_unused" });
  server = await startTestServer({ SHOPIFY_ADMIN_API_ORIGIN: admin.origin }, { root: snapshot.root });
});

afterAll(async () => {
  await server?.stop();
  await admin?.close();
  snapshot?.remove();
});

describe("install through token exchange", () => {
  it("records the shop with its details, and a signed webhook then applies", async () => {
    expect(await prisma.shop.count({ where: { shop: HAPPY } })).toBe(0);
    const page = await openAdmin(HAPPY);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain("Finishing setup");

    const session = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${HAPPY}` } });
    expect(session.scope?.split(",")).toContain("read_locales");
    expect(session.refreshToken).toBeTruthy();
    expect(await prisma.shop.findUniqueOrThrow({ where: { shop: HAPPY } })).toMatchObject({
      name: "Casa Fresca",
      currency: "EUR",
      timezone: "Europe/Lisbon",
      countryCode: "PT",
      primaryLocale: "pt-PT",
      status: "installed",
      installPendingReason: null,
    });
    expect(admin.requests.filter((r) => r.shop === HAPPY && r.operationName === "ReboundShop")).toMatchObject([{ status: 200, errorCodes: [] }]);

    const delivery = await cartWebhook(HAPPY);
    expect(delivery.status).toBe(200);
    expect(await delivery.json()).toMatchObject({ ok: true, outcome: "applied" });
    expect(await prisma.cart.count({ where: { shop: HAPPY } })).toBe(1);
  });

  it("with the old scopes, Shopify refuses the shop query (ACCESS_DENIED): the install is kept, pending, with the reason", async () => {
    admin.store.appScopes = OLD_SCOPES;
    try {
      expect((await openAdmin(OLD)).status).toBe(200);
    } finally {
      admin.store.appScopes = [...admin.store.shops.get(HAPPY)!.scopes];
    }
    expect(admin.requests.filter((r) => r.shop === OLD && r.operationName === "ReboundShop").map((r) => r.errorCodes)).toContainEqual(["ACCESS_DENIED"]);
    const row = await prisma.shop.findUniqueOrThrow({ where: { shop: OLD } });
    expect(row.status).toBe("installed");
    expect(row.installPendingReason).toBe(
      "Access denied for shopLocales field. Required access: `read_locales` access scope or `read_markets_home` access scope.",
    );
    // Installed, so its webhooks are applied rather than dropped as "not installed".
    expect(await (await cartWebhook(OLD)).json()).toMatchObject({ outcome: "applied" });
  });
});

describe("an install whose Admin API call fails", () => {
  it("is recorded as pending, shown in the admin, retried with backoff and completed", async () => {
    admin.addOperation("ReboundShop", () => {
      throw new Error("Shopify is having a bad minute");
    });
    const first = await openAdmin(FLAKY);
    expect(first.status).toBe(200);

    const pending = await prisma.shop.findUniqueOrThrow({ where: { shop: FLAKY } });
    expect(pending).toMatchObject({ status: "installed", name: null, currency: "USD" });
    expect(pending.installPendingReason).toMatch(/500/);
    expect(await (await cartWebhook(FLAKY)).json()).toMatchObject({ ok: true, outcome: "applied" });
    const html = await (await openAdmin(FLAKY)).text();
    expect(html).toContain("Finishing setup… retrying");
    expect(html).toMatch(/Last error: .*500/);

    // Still failing: the task fails, keeps the latest reason and backs off.
    const clock = manualClock(new Date());
    const finishTask = () => prisma.task.findUniqueOrThrow({ where: { shop_dedupKey: { shop: FLAKY, dedupKey: "shops.finish_install" } } });
    expect(await finishTask()).toMatchObject({ status: "queued", attempts: 0 });
    await runDueTasks("install-test", { clock });
    const retry = await finishTask();
    expect(retry).toMatchObject({ status: "queued", attempts: 1, lastError: expect.stringMatching(/500/) });
    expect(retry.runAt.getTime()).toBeGreaterThan(clock.now().getTime());
    await runDueTasks("install-test", { clock });
    expect(await finishTask()).toMatchObject({ attempts: 1 });

    // Shopify answers again; the next attempt, when due, finishes the install.
    admin.addOperation("ReboundShop", defaultOperations.ReboundShop);
    clock.set(new Date(retry.runAt.getTime() + 1000));
    await runDueTasks("install-test", { clock });
    expect(await prisma.shop.findUniqueOrThrow({ where: { shop: FLAKY } })).toMatchObject({
      name: "Flaky Goods",
      currency: "CAD",
      timezone: "America/Toronto",
      countryCode: "CA",
      installPendingReason: null,
    });
    expect(await prisma.task.findUniqueOrThrow({ where: { id: retry.id } })).toMatchObject({ status: "done", attempts: 2 });
    expect(await (await openAdmin(FLAKY)).text()).not.toContain("Finishing setup");
  });
});
