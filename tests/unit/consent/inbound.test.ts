import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { handleInboundMessage } from "../../../app/consent/inbound.server";
import { scheduleNotifications } from "../../../app/outbox/schedule.server";

const database = useTestDatabase();

let prisma: typeof import("../../../app/db.server").default;

const SHOP = "inbound-test.myshopify.com";
const OTHER = "other-inbound.myshopify.com";
const at = new Date("2026-11-20T10:00:00Z");

beforeAll(async () => {
  prisma = database.prisma;
  for (const shop of [SHOP, OTHER]) await prisma.shop.create({ data: { shop, settings: { create: {} } } });
});

let counter = 0;
async function subscribed(phone: string, shop = SHOP) {
  const subscriber = await prisma.subscriber.create({
    data: { shop, phone, callingCode: "34", status: "subscribed" },
  });
  await prisma.consentEvent.create({
    data: { shop, subscriberId: subscriber.id, kind: "opt_in", source: "product_block", occurredAt: new Date(at.getTime() - 86_400_000) },
  });
  await scheduleNotifications([
    {
      shop,
      flow: "back_in_stock",
      dedupKey: `bis:${subscriber.id}:${++counter}`,
      subscriberId: subscriber.id,
      sendAt: new Date(at.getTime() + 3_600_000),
      templateName: "back_in_stock",
      templateLanguage: "en",
      params: { body: ["Shoes"] },
    },
  ]);
  return subscriber;
}

function message(from: string, extra: { text?: string; buttonPayload?: string; buttonText?: string }, shop = SHOP) {
  return { shop, phoneNumberId: "1000", from, messageId: `wamid.${++counter}`, at, ...extra };
}

describe("handleInboundMessage", () => {
  beforeEach(() => {
    counter += 100;
  });

  const stops: Array<[string, string]> = [
    ["English", "stop"],
    ["Spanish", "  Alto "],
    ["Portuguese", "PARAR"],
    ["Indonesian", "berhenti"],
    ["German", "Stopp!"],
    ["French", "Arrêt"],
    ["Spanish baja", "BAJA"],
    ["button label", "Stop promotions"],
  ];

  it.each(stops)("STOP in %s opts out and cancels the planned notification", async (_lang, text) => {
    const phone = `+3461${String(1000000 + counter).slice(-7)}`;
    const subscriber = await subscribed(phone);
    const result = await handleInboundMessage(message(phone, { text }));
    expect(result).toEqual({ action: "opted_out" });

    const row = await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } });
    expect(row.status).toBe("unsubscribed");
    const pending = await prisma.notification.findMany({ where: { shop: SHOP, subscriberId: subscriber.id } });
    expect(pending.length).toBe(1);
    expect(pending.every((n) => n.status === "cancelled" && n.decisionReason === "opted_out")).toBe(true);
    const events = await prisma.consentEvent.findMany({ where: { shop: SHOP, subscriberId: subscriber.id, kind: "opt_out" } });
    expect(events).toHaveLength(1);
    expect(events[0].source).toBe("whatsapp_reply");
  });

  it("accepts the quick-reply button and Meta's digits-only sender", async () => {
    const phone = "+34622000111";
    const subscriber = await subscribed(phone);
    const result = await handleInboundMessage(message("34622000111", { buttonText: "Stop promotions", buttonPayload: "Stop promotions" }));
    expect(result.action).toBe("opted_out");
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("unsubscribed");
  });

  it("a replayed message id writes once", async () => {
    const phone = "+34622000222";
    const subscriber = await subscribed(phone);
    const input = message(phone, { text: "STOP" });
    expect((await handleInboundMessage(input)).action).toBe("opted_out");
    expect((await handleInboundMessage(input)).action).toBe("opted_out");
    expect(await prisma.consentEvent.count({ where: { shop: SHOP, subscriberId: subscriber.id, kind: "opt_out" } })).toBe(1);
  });

  it("ordinary conversation and keywords inside sentences change nothing", async () => {
    const phone = "+34622000333";
    const subscriber = await subscribed(phone);
    for (const text of ["Please don't stop sending me deals", "Hello", "When is my order arriving?"]) {
      expect((await handleInboundMessage(message(phone, { text }))).action).toBe("ignored");
    }
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("subscribed");
    expect(await prisma.notification.count({ where: { subscriberId: subscriber.id, status: "scheduled" } })).toBe(1);
  });

  it("START re-opts-in only after the shopper asks, and only in the shop it was sent to", async () => {
    const phone = "+34622000444";
    const mine = await subscribed(phone);
    const theirs = await subscribed(phone, OTHER);
    expect((await handleInboundMessage(message(phone, { text: "STOP" }))).action).toBe("opted_out");
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: theirs.id } })).status).toBe("subscribed");
    expect(await prisma.notification.count({ where: { subscriberId: theirs.id, status: "scheduled" } })).toBe(1);

    expect((await handleInboundMessage(message(phone, { text: "mulai" }))).action).toBe("opted_in");
    const row = await prisma.subscriber.findUniqueOrThrow({ where: { id: mine.id } });
    expect(row.status).toBe("subscribed");
    const kinds = (await prisma.consentEvent.findMany({ where: { subscriberId: mine.id }, orderBy: { occurredAt: "asc" } })).map((e) => e.kind);
    expect(kinds).toEqual(["opt_in", "opt_out", "re_opt_in"]);
  });

  it("a pending subscriber is confirmed by their reply", async () => {
    const phone = "+34622000555";
    const subscriber = await prisma.subscriber.create({ data: { shop: SHOP, phone, callingCode: "34", status: "pending" } });
    await prisma.consentEvent.create({
      data: { shop: SHOP, subscriberId: subscriber.id, kind: "opt_in", source: "cart_block", context: { requiresConfirmation: true }, occurredAt: new Date(at.getTime() - 1000) },
    });
    expect((await handleInboundMessage(message(phone, { text: "Sí" }))).action).toBe("opted_in");
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("subscribed");
  });

  it("STOP from an unknown number is remembered as an opt-out", async () => {
    const phone = "+34622000666";
    expect((await handleInboundMessage(message(phone, { text: "unsubscribe" }))).action).toBe("opted_out");
    const row = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop: SHOP, phone } } });
    expect(row.status).toBe("unsubscribed");
    expect(await prisma.consentEvent.count({ where: { subscriberId: row.id, kind: "opt_out" } })).toBe(1);
  });

  it("a START from an unknown number does not subscribe anyone", async () => {
    expect((await handleInboundMessage(message("+34622000777", { text: "START" }))).action).toBe("ignored");
    expect(await prisma.subscriber.count({ where: { shop: SHOP, phone: "+34622000777" } })).toBe(0);
  });
});
