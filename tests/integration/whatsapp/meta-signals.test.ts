import { describe, expect, it } from "vitest";
import { inventoryLevelPayload, productPayload, shopifyNumericId } from "../../fakes/shopify/payloads";
import { marketingTemplate, useFlowHarness, type FlowHarness } from "../flows/harness";

/**
 * Meta's limits and signals through the running app: the messaging limit read from the Graph API
 * paces a restock's fan-out, Meta's signed webhooks raise the limit, restrict and lift the
 * account, flag the number and route marketing to the Marketing Messages API, and 131048 holds the
 * number. Restocks come in as Shopify webhooks; the server's own dispatcher sends.
 */
const WABA = "7101";
const NUMBER = "7001";
const HOUR = 3_600_000;

/** The machine running the suite may be busy: give each wait room. */
const WAIT_MS = 90_000;

const h = useFlowHarness({
  shop: "meta-signals.myshopify.com",
  templates: [marketingTemplate("back_in_stock", "{{1}} is back ({{2}}).")],
  flows: [{ flow: "back_in_stock", config: { templateName: "back_in_stock", messagesPerUnit: null } }],
  // Meta's starting limit until it is read; marketing caps out of the way of the fan-out.
  settings: { messagingLimitTier: 250, marketingCapPerDay: 10, marketingCapPerWeek: 30 },
  autoStatuses: false,
});

const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = WAIT_MS) => h.waitFor(what, probe, ms);

/** A sold-out variant with the given subscribers waiting, then restocked with `available` units. */
async function restock(harness: FlowHarness, waiting: string[], available = waiting.length) {
  const productId = shopifyNumericId();
  const variantId = shopifyNumericId();
  const item = shopifyNumericId();
  const product = productPayload({
    id: productId,
    title: "Moka Pot",
    handle: `moka-${productId}`,
    variants: [{ id: variantId, inventoryItemId: item, price: "42.00", title: "6 cups", inventoryQuantity: 0 }],
    updatedAt: harness.clock.now(),
  });
  expect((await harness.send("products/update", product)).status).toBe(200);
  await harness.tasksSettled();
  if (waiting.length > 0) {
    await harness.prisma.$executeRaw`
      INSERT INTO "BackInStockRequest" (id, shop, "subscriberId", "variantId", "productId", status, "createdAt")
      SELECT 'r-' || s, ${harness.shop}, s, ${String(variantId)}, ${String(productId)}, 'waiting', now() - interval '1 day' + o * interval '1 millisecond'
        FROM unnest(${waiting}::text[]) WITH ORDINALITY AS w(s, o)`;
  }
  const level = inventoryLevelPayload({ inventoryItemId: item, locationId: shopifyNumericId(), available, updatedAt: new Date(harness.clock.now().getTime() + 1000) });
  expect((await harness.send("inventory_levels/update", level)).status).toBe(200);
  const variant = String(variantId);
  await waitFor("the restock's alerts to be planned", async () =>
    (await harness.prisma.notification.count({ where: { shop: harness.shop, variantId: variant } })) === waiting.length,
  );
  return variant;
}

let phones = 0;
/** `count` Spanish subscribers `${prefix}-n`, each with a number of their own. */
async function subscribers(prefix: string, count: number) {
  const base = phones;
  phones += count;
  await h.prisma.$executeRaw`
    INSERT INTO "Subscriber" (id, shop, phone, "callingCode", "countryCode", status, "updatedAt")
    SELECT ${prefix} || '-' || g, ${h.shop}, '+346' || lpad((${base}::int + g)::text, 8, '0'), '34', 'ES', 'subscribed', now()
      FROM generate_series(1, ${count}::int) g`;
  return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
}

const statuses = async (variantId: string) => {
  const rows = await h.prisma.notification.groupBy({ by: ["status", "decisionReason"], where: { shop: h.shop, variantId }, _count: true });
  return Object.fromEntries(rows.map((r) => [`${r.status}:${r.decisionReason ?? ""}`, r._count]));
};

const page = async (path = "/app/settings") => (await h.adminFetch(path, { document: true })).text();

describe("Meta's messaging limit, read not guessed", () => {
  it("reads 2,000 from Meta, paces a 5,000-shopper restock to it, and sends the rest when Meta raises it", async () => {
    expect(await page()).toContain("Meta&#x27;s limit: not read yet");
    h.fake.signals.setLimit(WABA, "TIER_2K");
    expect((await h.adminFetch("/app/settings", { form: { intent: "sync" } })).status).toBe(200);
    await waitFor("the limit to be read from Meta", async () => {
      const s = await h.prisma.shopSettings.findUnique({ where: { shop: h.shop } });
      return s?.messagingLimitTier === 2000 && s.messagingLimitReadAt;
    });
    expect(await page()).toMatch(/Meta&#x27;s limit: 2,000 people a day \(read [^)]+\)/);

    const waiting = await subscribers("w", 5000);
    const variant = await restock(h, waiting);
    await waitFor("2,000 sent and 3,000 held for the limit", async () => {
      const s = await statuses(variant);
      return s["sent:"] === 2000 && s["scheduled:messaging_limit_tier"] === 3000 ? s : null;
    }, 300_000);
    // Held, not hurried: nothing more leaves in the window, and each held row waits a day.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Counted in people, as Meta counts: a send retried after a lost answer reaches no one new.
    const people = () => new Set(h.fake.accepted.filter((m) => m.template === "back_in_stock").map((m) => m.to)).size;
    expect(people()).toBe(2000);
    const held = await h.prisma.notification.findFirst({ where: { shop: h.shop, variantId: variant, status: "scheduled" }, orderBy: { sendAt: "asc" } });
    expect(held!.sendAt.getTime()).toBeGreaterThan(h.clock.now().getTime() + 23 * HOUR);

    // Meta raises the portfolio to 10,000 (business_capability_update, signed with the app secret).
    expect((await h.fake.signals.sendCapabilityUpdate(WABA, "TIER_10K")).status).toBe(200);
    await waitFor("the rest to be sent", async () => (await statuses(variant))["sent:"] === 5000, 300_000);
    expect(people()).toBe(5000);
    expect((await h.prisma.shopSettings.findUnique({ where: { shop: h.shop } }))?.messagingLimitTier).toBe(10000);
    expect(await page()).toContain("Meta&#x27;s limit: 10,000 people a day");
  }, 700_000);
});

describe("account signals pause sending with a banner that says why", () => {
  it("an account restriction pauses sending until Meta lifts it", async () => {
    // Meta writes whole seconds.
    const until = new Date(Math.floor(h.clock.now().getTime() / 1000) * 1000 + 6 * HOUR);
    expect((await h.fake.signals.sendRestriction(WABA, until)).status).toBe(200);
    const shop = await h.prisma.shop.findUnique({ where: { shop: h.shop } });
    expect(shop).toMatchObject({ sendingPausedReason: "whatsapp_account_restricted", sendingPausedUntil: until });
    expect(await page("/app")).toContain("Meta restricted your WhatsApp Business account");

    const [shopper] = await subscribers("r", 1);
    const variant = await restock(h, [shopper]);
    await waitFor("the alert to wait for the restriction", async () => (await statuses(variant))["scheduled:shop_paused:whatsapp_account_restricted"] === 1);
    const row = await h.prisma.notification.findFirst({ where: { shop: h.shop, variantId: variant } });
    expect(h.fake.accepted.some((m) => m.callbackData === row!.id)).toBe(false);

    // Meta lifts it: the restriction list no longer names business-initiated messaging.
    expect((await h.fake.signals.sendAccountUpdate(WABA, "ACCOUNT_RESTRICTION", { restriction_info: [] })).status).toBe(200);
    expect((await h.prisma.shop.findUnique({ where: { shop: h.shop } }))?.sendingPausedReason).toBeNull();
    await waitFor("the alert to go once lifted", async () => (await statuses(variant))["sent:"] === 1);
    expect(await page("/app")).not.toContain("Meta restricted your WhatsApp Business account");
  }, 300_000);

  it("Rebound removed as a partner keeps the connection, marks it unusable and pauses; added back resumes", async () => {
    expect((await h.fake.signals.sendAccountUpdate(WABA, "PARTNER_REMOVED", { waba_info: { waba_id: WABA } })).status).toBe(200);
    const connection = await h.prisma.whatsAppConnection.findUnique({ where: { shop: h.shop } });
    expect(connection?.status).toBe("access_removed");
    expect((await h.prisma.shop.findUnique({ where: { shop: h.shop } }))?.sendingPausedReason).toBe("whatsapp_partner_removed");
    expect(await page("/app")).toContain("removed Rebound&#x27;s access");

    expect((await h.fake.signals.sendAccountUpdate(WABA, "PARTNER_ADDED", { waba_info: { waba_id: WABA } })).status).toBe(200);
    expect((await h.prisma.whatsAppConnection.findUnique({ where: { shop: h.shop } }))?.status).toBe("healthy");
    expect((await h.prisma.shop.findUnique({ where: { shop: h.shop } }))?.sendingPausedReason).toBeNull();
  }, 300_000);

  it("a quality flag on the shop's number shows a warning, and a malformed signal changes nothing", async () => {
    await h.prisma.whatsAppConnection.update({ where: { shop: h.shop }, data: { displayPhoneNumber: "+1 555-000-0000" } });
    expect((await h.fake.signals.sendQualityUpdate(NUMBER, "FLAGGED")).status).toBe(200);
    expect((await h.prisma.whatsAppConnection.findUnique({ where: { shop: h.shop } }))?.qualityEvent).toBe("FLAGGED");
    expect(await page("/app")).toContain("WhatsApp rates your number&#x27;s quality low");

    const before = await h.prisma.shop.findUnique({ where: { shop: h.shop } });
    const bad = await h.fake.deliver({
      object: "whatsapp_business_account",
      entry: [{ id: WABA, time: 1, changes: [{ field: "account_update", value: { event: "ACCOUNT_RESTRICTION", restriction_info: [{ restriction_type: "RESTRICTED_BIZ_INITIATED_MESSAGING", expiration: "soon" }] } }] }],
    });
    expect(bad.status).toBe(200);
    expect(h.fake.webhookDeliveries.at(-1)?.body).toEqual({ ok: true, skipped: 1 });
    expect(await h.prisma.shop.findUnique({ where: { shop: h.shop } })).toEqual(before);

    expect((await h.fake.signals.sendQualityUpdate(NUMBER, "UNFLAGGED")).status).toBe(200);
    expect(await page("/app")).not.toContain("quality low");
  }, 300_000);
});

describe("131048: Meta's spam rate limit holds the number", () => {
  it("holds the refused message and every later one for an hour with a banner, then sends them", async () => {
    h.fake.injectFaults(131048);
    const [first] = await subscribers("s", 1);
    const refused = await restock(h, [first]);
    await waitFor("the refused alert to wait for the hold", async () => (await statuses(refused))["scheduled:meta_spam_rate_limit"] === 1);
    const connection = await h.prisma.whatsAppConnection.findUnique({ where: { shop: h.shop } });
    expect(connection!.spamHeldUntil!.getTime() - connection!.spamHeldAt!.getTime()).toBe(HOUR);
    expect(await page("/app")).toContain("WhatsApp is holding your number");

    // A message planned during the hold does not try its luck: the gate holds it too.
    const [second] = await subscribers("t", 1);
    const later = await restock(h, [second]);
    await waitFor("the later alert to wait for the hold", async () => (await statuses(later))["scheduled:meta_spam_rate_limit"] === 1);
    expect(h.fake.attempts.filter((a) => a.outcome === "131048")).toHaveLength(1);

    h.clock.advance(HOUR + 60_000);
    await waitFor("both alerts to go after the hold", async () => (await statuses(refused))["sent:"] === 1 && (await statuses(later))["sent:"] === 1);
    expect(await page("/app")).not.toContain("WhatsApp is holding your number");
  }, 300_000);
});

describe("the US marketing block by region, and the Marketing Messages API", () => {
  it("skips a US number but sends to a Canadian +1 number", async () => {
    const us = await h.subscriber("+12025550143", { callingCode: "1" }); // no region stored: read from the number
    const ca = await h.prisma.subscriber.create({ data: { shop: h.shop, phone: "+14165550143", callingCode: "1", countryCode: "CA", status: "subscribed" } });
    const variant = await restock(h, [us.id, ca.id]);
    await waitFor("the Canadian alert to be sent and the US one skipped", async () => {
      const s = await statuses(variant);
      return s["sent:"] === 1 && s["skipped:marketing_not_allowed_to_region:US"] === 1;
    });
    expect(h.fake.accepted.some((m) => m.to === "+14165550143")).toBe(true);
    expect(h.fake.accepted.some((m) => m.to === "+12025550143")).toBe(false);
    expect(await page()).toContain("Don&#x27;t send marketing to US numbers");
  }, 300_000);

  it("routes marketing to marketing_messages once Meta onboards the account, unless the merchant turned it off", async () => {
    expect((await h.fake.signals.sendMarketingMessagesTermsSigned(WABA)).status).toBe(200);
    expect((await h.prisma.shopSettings.findUnique({ where: { shop: h.shop } }))?.useMarketingMessagesApi).toBe(true);
    const [shopper] = await subscribers("m", 1);
    const variant = await restock(h, [shopper]);
    await waitFor("the alert to be sent", async () => (await statuses(variant))["sent:"] === 1);
    const row = await h.prisma.notification.findFirst({ where: { shop: h.shop, variantId: variant } });
    expect(h.fake.accepted.find((m) => m.callbackData === row!.id)?.edge).toBe("marketing_messages");

    // The merchant switches it off; Meta's next onboarding signal leaves their choice alone.
    const off = await h.adminFetch("/app/settings", {
      form: {
        intent: "settings", quietHoursEnabled: "false", quietHoursStart: "21:00", quietHoursEnd: "09:00", marketingCapPerDay: "10",
        marketingCapPerWeek: "30", campaignsPerMonth: "4", allowedCallingCodes: "", blockedCallingCodes: "", attributionWindowDays: "5",
        doubleOptIn: "true", dataRetentionDays: "365", flowPriority: "abandoned_cart,back_in_stock,reorder,upsell,promotion",
        blockUsMarketing: "true", useMarketingMessagesApi: "false",
      },
    });
    expect(off.status).toBe(200);
    expect((await h.fake.signals.sendMarketingMessagesTermsSigned(WABA)).status).toBe(200);
    expect(await h.prisma.shopSettings.findUnique({ where: { shop: h.shop } })).toMatchObject({ useMarketingMessagesApi: false, marketingMessagesApiChosen: true });
    const [next] = await subscribers("n", 1);
    const second = await restock(h, [next]);
    await waitFor("the next alert to be sent", async () => (await statuses(second))["sent:"] === 1);
    const nextRow = await h.prisma.notification.findFirst({ where: { shop: h.shop, variantId: second } });
    expect(h.fake.accepted.find((m) => m.callbackData === nextRow!.id)?.edge).toBe("messages");
  }, 300_000);
});
