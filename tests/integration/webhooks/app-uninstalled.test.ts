import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startTestServer, type TestServer } from "../../support/server";
import prisma from "../../../app/db.server";

let server: TestServer;
const shop = "uninstall-test.myshopify.com";

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe("app/uninstalled", () => {
  it("removes the shop's sessions, pauses sending and cancels what was scheduled", async () => {
    await prisma.shop.create({ data: { shop, settings: { create: {} } } });
    await prisma.session.create({
      data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x", isOnline: false },
    });
    await prisma.notification.create({
      data: { shop, flow: "abandoned_cart", dedupKey: "k1", sendAt: new Date(), templateName: "cart_reminder" },
    });

    const response = await sendWebhook(server.url, server.secret, { topic: "app/uninstalled", shop, payload: { id: 1, domain: shop } });
    expect(response.status).toBe(200);

    expect(await prisma.session.count({ where: { shop } })).toBe(0);
    const row = await prisma.shop.findUniqueOrThrow({ where: { shop } });
    expect(row.status).toBe("uninstalled");
    expect(row.sendingPausedReason).toBe("uninstalled");
    const notification = await prisma.notification.findFirstOrThrow({ where: { shop } });
    expect(notification.status).toBe("cancelled");
  });

  it("refuses a delivery whose signature is wrong or missing, and changes nothing", async () => {
    const other = "still-installed.myshopify.com";
    await prisma.shop.create({ data: { shop: other } });
    const bad = await sendWebhook(server.url, server.secret, { topic: "app/uninstalled", shop: other, payload: {}, hmac: "AAAA" });
    expect(bad.status).toBe(401);
    const missing = await sendWebhook(server.url, server.secret, { topic: "app/uninstalled", shop: other, payload: {}, hmac: null });
    expect(missing.status).toBe(401);
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: other } })).status).toBe("installed");
    expect(await prisma.webhookReceipt.count({ where: { shop: other } })).toBe(0);
  });
});
