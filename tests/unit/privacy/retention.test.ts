import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { handleInboundMessage } from "../../../app/consent/inbound.server";
import * as retention from "../../../app/privacy/retention.server";
import * as optin from "../../../app/consent/optin.server";
import * as phone from "../../../app/consent/phone.server";
import * as suppression from "../../../app/consent/suppression.server";

const database = useTestDatabase();

let prisma: typeof import("../../../app/db.server").default;

const now = new Date("2026-12-01T12:00:00Z");
const daysAgo = (days: number, from = now) => new Date(from.getTime() - days * 86_400_000);
const short = "keeps-30.myshopify.com"; // 30 days
const long = "keeps-90.myshopify.com"; // 90 days

/** The same history in each shop: everything 60 days old, plus what must survive regardless. */
async function seed(shop: string, retentionDays: number) {
  const old = daysAgo(60);
  const recent = daysAgo(5);
  await prisma.shop.create({ data: { shop, countryCode: "ES", settings: { create: { dataRetentionDays: retentionDays, doubleOptIn: false } } } });

  const subscribed = await prisma.subscriber.create({ data: { shop, phone: "+34600000001", callingCode: "34", status: "subscribed", createdAt: old, updatedAt: old } });
  await prisma.consentEvent.create({ data: { shop, subscriberId: subscribed.id, kind: "opt_in", source: "checkout", occurredAt: old } });
  const pending = await prisma.subscriber.create({ data: { shop, phone: "+34600000002", callingCode: "34", status: "pending", createdAt: old, updatedAt: old } });
  await prisma.consentEvent.create({ data: { shop, subscriberId: pending.id, kind: "opt_in", source: "product_block", occurredAt: old, deviceHash: "d".repeat(64) } });
  const stopped = await prisma.subscriber.create({ data: { shop, phone: "+34600000003", callingCode: "34", status: "unsubscribed", createdAt: daysAgo(70), updatedAt: old } });
  await prisma.consentEvent.createMany({
    data: [
      { shop, subscriberId: stopped.id, kind: "opt_in", source: "cart_block", occurredAt: daysAgo(70) },
      { shop, subscriberId: stopped.id, kind: "opt_out", source: "whatsapp_reply", occurredAt: old },
    ],
  });
  // Opted out long ago, but ordered recently: still in use.
  await prisma.subscriber.create({ data: { shop, phone: "+34600000004", callingCode: "34", status: "unsubscribed", createdAt: old, updatedAt: old, lastOrderAt: recent } });
  await prisma.backInStockRequest.createMany({
    data: [
      { shop, subscriberId: subscribed.id, variantId: "v-notified", status: "notified", createdAt: old, notifiedAt: old },
      { shop, subscriberId: subscribed.id, variantId: "v-waiting", status: "waiting", createdAt: old },
    ],
  });

  const message = (id: string, data: Record<string, unknown>) =>
    prisma.notification.create({
      data: { id: `${shop}:${id}`, shop, flow: "abandoned_cart", dedupKey: id, subscriberId: subscribed.id, templateName: "cart", sendAt: old, createdAt: old, updatedAt: old, ...data },
    });
  await message("sent-old", { status: "read", sentAt: old, readAt: old, cartToken: "cart-old", events: { create: [{ shop, kind: "sent", at: old }, { shop, kind: "read", at: old }] } });
  await prisma.trackedLink.create({ data: { token: `${shop}:link`, shop, notificationId: `${shop}:sent-old`, destination: "https://x/", createdAt: old, clicks: { create: [{ shop, notificationId: `${shop}:sent-old`, clickedAt: old }] } } });
  await message("read-recently", { status: "read", sentAt: old, readAt: recent });
  await message("scheduled-old", { status: "scheduled", sendAt: now, cartToken: "cart-pending" });
  await message("sending-old", { status: "sending", leaseUntil: now });
  await message("reorder-pending", { flow: "reorder", status: "scheduled", sendAt: daysAgo(-10), orderId: "order-pending" });

  await prisma.cart.createMany({
    data: [
      { shop, token: "cart-old", status: "open", shopifyUpdatedAt: old, createdAt: old, updatedAt: old },
      { shop, token: "cart-recent", status: "open", shopifyUpdatedAt: recent, createdAt: old, updatedAt: recent },
      { shop, token: "cart-pending", status: "open", shopifyUpdatedAt: old, createdAt: old, updatedAt: old },
    ],
  });
  await prisma.checkout.createMany({
    data: [
      { shop, token: "co-old", cartToken: "cart-old", phone: "+34600000001", email: "old@example.com", shopifyUpdatedAt: old, createdAt: old, updatedAt: old },
      { shop, token: "co-recent", cartToken: "cart-recent", phone: "+34600000001", shopifyUpdatedAt: recent, createdAt: old, updatedAt: recent },
    ],
  });
  const order = (id: string, placedAt: Date) =>
    prisma.order.create({
      data: {
        shop, id, phone: "+34600000001", email: "buyer@example.com", customerId: "c1", subscriberId: subscribed.id, totalPrice: 30,
        placedAt, shopifyUpdatedAt: placedAt,
        lineItems: { create: [{ id: `${shop}:${id}:li`, title: "Tea", quantity: 1, price: 30, properties: [{ name: "Engraving", value: "Ana" }] }] },
      },
    });
  await order("order-old", old);
  await order("order-recent", recent);
  await order("order-pending", old);
  await prisma.dataRequest.createMany({ data: [{ shop, email: "old@example.com", report: {}, requestedAt: old }, { shop, report: {}, requestedAt: recent }] });
}

beforeAll(async () => {
  prisma = database.prisma;
  await seed(short, 30);
  await seed(long, 90);
}, 60_000);

const ids = async (shop: string) => ({
  messages: (await prisma.notification.findMany({ where: { shop }, select: { dedupKey: true }, orderBy: { dedupKey: "asc" } })).map((n) => n.dedupKey),
  carts: (await prisma.cart.findMany({ where: { shop }, select: { token: true }, orderBy: { token: "asc" } })).map((c) => c.token),
  checkouts: (await prisma.checkout.findMany({ where: { shop }, select: { token: true }, orderBy: { token: "asc" } })).map((c) => c.token),
  subscribers: (await prisma.subscriber.findMany({ where: { shop }, select: { phone: true }, orderBy: { phone: "asc" } })).map((s) => s.phone),
});

describe("retention", () => {
  it("removes what is past each shop's own setting and keeps what is newer or still needed", async () => {
    const passes = await retention.applyRetention(now);
    expect(passes.map((p) => p.shop).sort()).toEqual([long, short].sort());

    // 30 days: the 60-day-old history goes.
    expect(await ids(short)).toEqual({
      messages: ["read-recently", "reorder-pending", "scheduled-old", "sending-old"],
      carts: ["cart-pending", "cart-recent"],
      checkouts: ["co-recent"],
      subscribers: ["+34600000001", "+34600000004"],
    });
    expect(await prisma.notificationEvent.count({ where: { shop: short } })).toBe(0);
    expect(await prisma.trackedLink.count({ where: { shop: short } })).toBe(0);
    expect(await prisma.click.count({ where: { shop: short } })).toBe(0);
    const orders = await prisma.order.findMany({ where: { shop: short }, include: { lineItems: true }, orderBy: { id: "asc" } });
    expect(orders.map((o) => [o.id, o.phone, o.email, o.lineItems[0].properties, o.totalPrice.toString()])).toEqual([
      ["order-old", null, null, [], "30"],
      ["order-pending", "+34600000001", "buyer@example.com", [{ name: "Engraving", value: "Ana" }], "30"],
      ["order-recent", "+34600000001", "buyer@example.com", [{ name: "Engraving", value: "Ana" }], "30"],
    ]);
    expect((await prisma.backInStockRequest.findMany({ where: { shop: short } })).map((r) => r.variantId)).toEqual(["v-waiting"]);
    expect(await prisma.dataRequest.count({ where: { shop: short } })).toBe(1);

    // The opted-out number is remembered as a hash only; the consent that existed as counts.
    const suppressions = await prisma.phoneSuppression.findMany({ where: { shop: short } });
    expect(suppressions.map((x) => x.phoneHash)).toEqual([suppression.phoneHash(short, "+34600000003")]);
    expect(suppressions[0].phoneHash).toMatch(/^[0-9a-f]{64}$/);
    expect(suppressions[0].optedOutAt).toEqual(daysAgo(60));
    expect(JSON.stringify(suppressions)).not.toContain("600000003");
    const tally = await prisma.consentTally.findMany({ where: { shop: short }, orderBy: [{ kind: "asc" }, { source: "asc" }] });
    expect(tally.map((t) => [t.kind, t.source, t.count])).toEqual([
      ["opt_in", "product_block", 1],
      ["opt_in", "cart_block", 1],
      ["opt_out", "whatsapp_reply", 1],
    ]);

    // Recorded for the admin.
    const settings = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: short } });
    expect(settings.retentionAppliedAt).toEqual(now);
    expect(settings.retentionRemoved).toMatchObject({
      messages: 1, messageEvents: 2, trackedLinks: 1, clicks: 1, carts: 1, checkouts: 1, ordersAnonymised: 1, subscribers: 2, backInStockRequests: 1, dataRequests: 1,
    });

    // 90 days: nothing of it is old enough yet.
    expect(await ids(long)).toEqual({
      messages: ["read-recently", "reorder-pending", "scheduled-old", "sending-old", "sent-old"],
      carts: ["cart-old", "cart-pending", "cart-recent"],
      checkouts: ["co-old", "co-recent"],
      subscribers: ["+34600000001", "+34600000002", "+34600000003", "+34600000004"],
    });
    expect(await prisma.order.count({ where: { shop: long, phone: { not: null } } })).toBe(3);
    expect((await prisma.shopSettings.findUniqueOrThrow({ where: { shop: long } })).retentionAppliedAt).toEqual(now);
  });

  it("runs a shop again only when its pass is due, and then with its own setting", async () => {
    expect(await retention.applyRetention(new Date(now.getTime() + 3600_000))).toEqual([]);
    const later = new Date(now.getTime() + 40 * 86_400_000);
    const passes = await retention.applyRetention(later);
    const longPass = passes.find((p) => p.shop === long);
    expect(longPass?.removed).toMatchObject({ messages: 1, carts: 1, checkouts: 1, subscribers: 2 });
    // Still never the messages waiting to be sent.
    expect(await prisma.notification.count({ where: { shop: long, status: { in: ["scheduled", "sending"] } } })).toBe(3);
    expect(await prisma.notification.count({ where: { shop: short, status: { in: ["scheduled", "sending"] } } })).toBe(3);
  });

  it("an erased opt-out comes back with the number: a late opt-in dated before the STOP does not subscribe it", async () => {
    const input = (at: Date) => ({
      shop: short, phone: phone.parsePhone("+34600000003"), source: "cart_block" as const, text: "WhatsApp me", textVersion: "v1",
      locale: "es", deviceHash: null, cartToken: `late-${at.getTime()}`, at,
    });
    const late = await optin.recordOptIn(input(daysAgo(65)));
    expect(late.status).toBe("unsubscribed");
    const events = await prisma.consentEvent.findMany({ where: { shop: short, subscriberId: late.subscriberId }, orderBy: { occurredAt: "asc" } });
    expect(events.map((e) => [e.kind, e.source])).toEqual([["opt_in", "cart_block"], ["opt_out", "suppression"]]);
    // The subscriber row carries the opt-out again; the suppression itself is gone.
    const hash = suppression.phoneHash(short, "+34600000003");
    expect(await prisma.phoneSuppression.count({ where: { shop: short, phoneHash: hash } })).toBe(0);
    // The shopper's own new opt-in counts, as it would have with the row kept.
    expect((await optin.recordOptIn(input(now))).status).toBe("subscribed");
  });

  it("a WhatsApp message from an erased opted-out number brings back its STOP as it was, not a new one", async () => {
    // +34600000004 was erased by the later pass with its opt-out kept as a hash.
    expect(await prisma.subscriber.count({ where: { shop: short, phone: "+34600000004" } })).toBe(0);
    const hash = suppression.phoneHash(short, "+34600000004");
    expect(await prisma.phoneSuppression.count({ where: { shop: short, phoneHash: hash } })).toBe(1);
    const inbound = (text: string, id: string) =>
      handleInboundMessage({ shop: short, phoneNumberId: "1000", from: "34600000004", messageId: id, text, at: now });
    expect((await inbound("STOP", "wamid.erased-1")).action).toBe("ignored");
    const row = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop: short, phone: "+34600000004" } } });
    expect(row.status).toBe("unsubscribed");
    const events = await prisma.consentEvent.findMany({ where: { shop: short, subscriberId: row.id } });
    expect(events.map((e) => [e.kind, e.source])).toEqual([["opt_out", "suppression"]]);
    expect(await prisma.phoneSuppression.count({ where: { shop: short, phoneHash: hash } })).toBe(0);
  });
});
