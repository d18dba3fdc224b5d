import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cartPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import prisma from "../../../app/db.server";

/**
 * A server that has just migrated a fresh database answers its first delivery as fast as the
 * rest: Shopify drops a delivery after 5 s, so a start-up wait of that length loses it.
 */
let server: TestServer;
const shop = "first-delivery.myshopify.com";
const logged: string[] = [];

beforeAll(async () => {
  for (const level of ["log", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
  }
  server = await startTestServer();
  await prisma.shop.create({ data: { shop, settings: { create: {} } } });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server?.stop();
});

describe("the first webhook after a fresh start", () => {
  it("is recorded within a second, with no session-table error logged", async () => {
    const payload = cartPayload({
      lines: [{ variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Tea Tin", quantity: 1, price: "8.00" }],
      updatedAt: new Date(),
    });
    const started = performance.now();
    const response = await sendWebhook(server.url, server.secret, { topic: "carts/update", shop, payload });
    const elapsed = performance.now() - started;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: "applied" });
    expect(elapsed).toBeLessThan(1_000);
    expect(logged.filter((line) => /session table/i.test(line))).toEqual([]);
  });
});
