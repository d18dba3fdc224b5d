import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWhatsApp, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { startTestServer, type TestServer } from "../../support/server";
import { PROBE_STATES, probeSubscribers, type ProbeSetup } from "../../support/subscriber-probe";
import { seedShop, TEMPLATES, type SeededShop } from "../outbox/fixtures";

/**
 * A storefront form must not tell anyone whether a number subscribes to the shop: the same
 * opt-in, posted through Shopify's signed app proxy for a new number, a pending one, a subscriber
 * and a subscriber asking for offers, gets the very same answer, as JSON and as a page.
 */
const APP_SECRET = "meta-app-secret-for-the-probe";
const seed: SeededShop = { shop: "subscriber-probe.myshopify.com", phoneNumberId: "730000000000001", wabaId: "740000000000001", token: "EAAG-probe" };

let server: TestServer;
let whatsapp: FakeWhatsApp;
let prisma: typeof import("../../../app/db.server").default;

beforeAll(async () => {
  server = await startTestServer({ WHATSAPP_APP_SECRET: APP_SECRET, DISPATCHER: "off" });
  ({ default: prisma } = await import("../../../app/db.server"));
  whatsapp = await startFakeWhatsApp({
    numbers: [{ phoneNumberId: seed.phoneNumberId, wabaId: seed.wabaId, accessToken: seed.token }],
    templates: { [seed.wabaId]: TEMPLATES.map((t) => ({ ...t })) },
    webhookUrl: `${server.url}/whatsapp/webhook`,
    appSecret: APP_SECRET,
  });
  await seedShop(prisma, seed);
  await prisma.session.create({ data: { id: `offline_${seed.shop}`, shop: seed.shop, state: "", accessToken: "shpat_x", isOnline: false } });
});
afterAll(async () => {
  await whatsapp?.close();
  await server?.stop();
});

function setup(format: ProbeSetup["format"], first: number): ProbeSetup {
  return {
    target: { appUrl: server.url, secret: server.secret, shop: seed.shop },
    whatsapp,
    phoneNumberId: seed.phoneNumberId,
    phones: Object.fromEntries(PROBE_STATES.map((state, i) => [state, `+346124${String(first + i).padStart(5, "0")}`])) as ProbeSetup["phones"],
    format,
    facts: (phone) => prisma.subscriber.findUnique({ where: { shop_phone: { shop: seed.shop, phone } }, select: { status: true, acceptsOffers: true } }),
  };
}

describe("the subscriber probe", () => {
  it("answers a new, a pending, a subscribed and a widening number byte for byte alike (JSON)", async () => {
    const { answers, identical, problems } = await probeSubscribers(setup("json", 1));
    expect(problems).toEqual([]);
    expect(answers.new).toEqual({ status: 200, contentType: "application/json; charset=utf-8", body: '{"ok":true}' });
    for (const state of PROBE_STATES) expect(answers[state], state).toEqual(answers.new);
    expect(identical).toBe(true);
  });

  it("answers them alike as a page in the shop's theme too", async () => {
    const { answers, identical, problems } = await probeSubscribers(setup("page", 11));
    expect(problems).toEqual([]);
    expect(answers.new.status).toBe(200);
    expect(answers.new.contentType).toBe("application/liquid");
    expect(answers.new.body).toContain("Check WhatsApp: if this number needs to confirm");
    for (const state of PROBE_STATES) expect(answers[state], state).toEqual(answers.new);
    expect(identical).toBe(true);
  });

  it("still sends only the confirmations each state needs", async () => {
    // The same answer, not the same effect: the new number and the widening one are asked on
    // WhatsApp; the pending one already was, and the subscriber has nothing to confirm.
    const counts = Object.fromEntries(
      await Promise.all(
        PROBE_STATES.map(async (state) => {
          const phone = setup("json", 1).phones[state];
          const { id } = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop: seed.shop, phone } } });
          return [state, await prisma.notification.count({ where: { shop: seed.shop, flow: "optin_confirmation", subscriberId: id } })];
        }),
      ),
    );
    expect(counts).toEqual({ new: 1, pending: 1, subscribed: 1, widening: 2 });
  });
});
