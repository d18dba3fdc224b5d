import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminGraphql } from "../../../app/consent/shopify-consent-admin.server";
import { startFakeShopifyAdmin, type FakeShopifyAdmin } from "../../fakes/shopify/admin";
import { customersOf, seedCustomer, setWhatsAppConsentInAdmin, shopifyDateTime } from "../../fakes/shopify/admin-customers";
import { useTestDatabase } from "../../support/database";
import { testKind } from "../../support/task-registry";
import * as sync from "../../../app/consent/shopify-consent-sync.server";
import * as adminApi from "../../../app/consent/shopify-consent-admin.server";
import * as ledger from "../../../app/consent/ledger.server";
import * as queue from "../../../app/tasks/queue.server";

const database = useTestDatabase();

const SHOP = "consent-sync-unit.myshopify.com";
const TOKEN = "shpat_consent_unit";
const at = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 9, minutes));

let prisma: typeof import("../../../app/db.server").default;
let admin: FakeShopifyAdmin;

const client: AdminGraphql = {
  graphql: (query, options) =>
    fetch(`${admin.origin}/${SHOP}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN },
      body: JSON.stringify({ query, variables: options?.variables ?? {} }),
    }),
};

let seq = 0;
async function subscriber(status: "pending" | "subscribed" | "unsubscribed", customerId: string | null, phone = `+3460020${String(++seq).padStart(4, "0")}`) {
  return prisma.subscriber.create({ data: { shop: SHOP, phone, callingCode: "34", status, customerId } });
}
const event = (subscriberId: string, kind: "opt_in" | "confirmed" | "opt_out", occurredAt: Date, source: "cart_block" | "whatsapp_reply" | "shopify_admin" = "cart_block") =>
  prisma.consentEvent.create({ data: { shop: SHOP, subscriberId, kind, source, occurredAt, context: {} } });
const writes = () => admin.requests.filter((r) => r.operationName === "ReboundWhatsAppConsentUpdate").length;
const consentOf = (customerId: string) => customersOf(admin.store).get(SHOP)!.get(customerId)!.whatsAppMarketingConsent;

beforeAll(async () => {
  prisma = database.prisma;
  admin = await startFakeShopifyAdmin();
  admin.store.seedShop({ domain: SHOP, accessToken: TOKEN });
  await prisma.shop.create({ data: { shop: SHOP, name: "Unit Store", settings: { create: {} } } });
});
afterAll(() => admin?.close());

describe("pushConsentToShopify", () => {
  it("writes a single opt-in as SINGLE_OPT_IN, at the opt-in's time", async () => {
    const s = await subscriber("subscribed", "101");
    seedCustomer(admin.store, SHOP, { id: "101", phone: s.phone });
    await event(s.id, "opt_in", at(1));
    expect(await sync.pushConsentToShopify(SHOP, s.id, client)).toBe("written");
    expect(consentOf("101")).toMatchObject({ state: "SUBSCRIBED", optInLevel: "SINGLE_OPT_IN", updatedAt: shopifyDateTime(at(1)) });
    // Shopify already holds it: a second run writes nothing.
    const before = writes();
    expect(await sync.pushConsentToShopify(SHOP, s.id, client)).toBe("already_current");
    expect(writes()).toBe(before);
  });

  it("counts a confirmation only since the last opt-out", async () => {
    const s = await subscriber("subscribed", "102");
    seedCustomer(admin.store, SHOP, { id: "102", phone: s.phone });
    await event(s.id, "opt_in", at(1));
    await event(s.id, "confirmed", at(2));
    await event(s.id, "opt_out", at(3), "whatsapp_reply");
    await event(s.id, "opt_in", at(4));
    expect(await sync.pushConsentToShopify(SHOP, s.id, client)).toBe("written");
    expect(consentOf("102")).toMatchObject({ state: "SUBSCRIBED", optInLevel: "SINGLE_OPT_IN" });
  });

  it("skips pending, unlinked, Shopify-sourced, phoneless, other-number and newer-in-Shopify cases", async () => {
    const before = writes();
    const pending = await subscriber("pending", "103");
    expect(await sync.pushConsentToShopify(SHOP, pending.id, client)).toBe("pending");
    const unlinked = await subscriber("subscribed", null);
    expect(await sync.pushConsentToShopify(SHOP, unlinked.id, client)).toBe("not_linked");

    const fromShopify = await subscriber("unsubscribed", "104");
    seedCustomer(admin.store, SHOP, { id: "104", phone: fromShopify.phone });
    await event(fromShopify.id, "opt_out", at(5), "shopify_admin");
    expect(await sync.pushConsentToShopify(SHOP, fromShopify.id, client)).toBe("from_shopify");

    const phoneless = await subscriber("subscribed", "105");
    seedCustomer(admin.store, SHOP, { id: "105", phone: null });
    await event(phoneless.id, "opt_in", at(5));
    expect(await sync.pushConsentToShopify(SHOP, phoneless.id, client)).toBe("no_phone_in_shopify");

    const otherNumber = await subscriber("subscribed", "106");
    seedCustomer(admin.store, SHOP, { id: "106", phone: "+34699999999" });
    await event(otherNumber.id, "opt_in", at(5));
    expect(await sync.pushConsentToShopify(SHOP, otherNumber.id, client)).toBe("other_number");

    const newer = await subscriber("unsubscribed", "107");
    seedCustomer(admin.store, SHOP, { id: "107", phone: newer.phone });
    await event(newer.id, "opt_out", at(5), "whatsapp_reply");
    setWhatsAppConsentInAdmin(admin.store, SHOP, "107", { state: "SUBSCRIBED" }, at(6));
    expect(await sync.pushConsentToShopify(SHOP, newer.id, client)).toBe("newer_in_shopify");
    expect(writes()).toBe(before);
  });
});

describe("applyShopifyConsent", () => {
  it("opts out on UNSUBSCRIBED newer than the ledger, once, and never on an older one", async () => {
    const s = await subscriber("subscribed", "201");
    await event(s.id, "opt_in", at(10));
    const older = { phoneNumber: s.phone, consent: { state: "UNSUBSCRIBED" as const, updatedAt: at(9).toISOString(), optInLevel: null, collectedFrom: "SHOPIFY" as const } };
    expect(await sync.applyShopifyConsent(SHOP, "201", older)).toBe("stale");
    const newer = { ...older, consent: { ...older.consent, updatedAt: at(11).toISOString() } };
    expect(await sync.applyShopifyConsent(SHOP, "201", newer)).toBe("opted_out");
    expect(await sync.applyShopifyConsent(SHOP, "201", newer)).toBe("unchanged");
    const events = await ledger.listConsentEvents(SHOP, s.id);
    expect(events.map((e) => [e.kind, e.source])).toEqual([["opt_out", "shopify_admin"], ["opt_in", "cart_block"]]);
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: s.id } })).status).toBe("unsubscribed");
    // Applied from Shopify: nothing is queued to write it back.
    expect(await prisma.task.count({ where: { shop: SHOP, payload: { path: ["subscriberId"], equals: s.id } } })).toBe(0);
  });

  it("applies an opt-out stamped in the same second as the ledger's latest event, Shopify's times being whole seconds", async () => {
    const s = await subscriber("subscribed", "204");
    await prisma.consentEvent.create({ data: { shop: SHOP, subscriberId: s.id, kind: "opt_in", source: "cart_block", occurredAt: new Date(at(20).getTime() + 400), context: {} } });
    const sameSecond = { phoneNumber: s.phone, consent: { state: "UNSUBSCRIBED" as const, updatedAt: shopifyDateTime(at(20)), optInLevel: null, collectedFrom: "SHOPIFY" as const } };
    expect(await sync.applyShopifyConsent(SHOP, "204", sameSecond)).toBe("opted_out");
    // A merchant's "subscribed" has to be strictly newer.
    const t = await subscriber("pending", "205");
    await prisma.consentEvent.create({ data: { shop: SHOP, subscriberId: t.id, kind: "opt_in", source: "cart_block", occurredAt: new Date(at(20).getTime() + 400), context: {} } });
    expect(await sync.applyShopifyConsent(SHOP, "205", { phoneNumber: t.phone, consent: { ...sameSecond.consent, state: "SUBSCRIBED" } })).toBe("stale");
  });

  it("keeps SUBSCRIBED as a claim that leaves an opted-out shopper opted out", async () => {
    const s = await subscriber("unsubscribed", "202");
    await event(s.id, "opt_out", at(10), "whatsapp_reply");
    const claim = { phoneNumber: s.phone, consent: { state: "SUBSCRIBED" as const, updatedAt: at(12).toISOString(), optInLevel: "UNKNOWN" as const, collectedFrom: "OTHER" as const } };
    expect(await sync.applyShopifyConsent(SHOP, "202", claim)).toBe("claim_recorded");
    expect((await prisma.subscriber.findUniqueOrThrow({ where: { id: s.id } })).status).toBe("unsubscribed");
    expect(await ledger.refreshStatus(prisma, SHOP, s.id)).toBe("unsubscribed");
  });

  it("applies nothing to another number, or to states that are not consent", async () => {
    const s = await subscriber("subscribed", "203");
    const base = { phoneNumber: "+34688888888", consent: { state: "UNSUBSCRIBED" as const, updatedAt: at(30).toISOString(), optInLevel: null, collectedFrom: null } };
    expect(await sync.applyShopifyConsent(SHOP, "203", base)).toBe("no_subscriber");
    expect(await sync.applyShopifyConsent(SHOP, "203", { phoneNumber: s.phone, consent: { ...base.consent, state: "PENDING" } })).toBe("not_applicable");
    expect(await sync.applyShopifyConsent(SHOP, "203", { phoneNumber: s.phone, consent: { ...base.consent, updatedAt: null } })).toBe("not_applicable");
  });
});

describe("customerWhatsAppMarketingConsentUpdate refusals", () => {
  it("turns userErrors into a final error that names codes and fields, never the phone", async () => {
    seedCustomer(admin.store, SHOP, { id: "301", phone: null });
    const write = { state: "UNSUBSCRIBED" as const, updatedAt: at(40) };
    const unknown = await adminApi.writeCustomerConsent(client, "999999", write).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(adminApi.ShopifyConsentError);
    expect(unknown).toMatchObject({ retryable: false, message: "customerWhatsAppMarketingConsentUpdate refused: INVALID on input.customerId" });
    const phoneless = await adminApi.writeCustomerConsent(client, "301", write).catch((e: unknown) => e);
    expect(phoneless).toMatchObject({ retryable: false });
    expect(String((phoneless as Error).message)).not.toMatch(/\+?\d{7,}/);
  });

  it("stops retrying a task whose error says it is final, and retries others", async () => {
    await queue.enqueueTask({ shop: SHOP, kind: testKind("test.final"), dedupKey: "final" });
    await queue.enqueueTask({ shop: SHOP, kind: testKind("test.transient"), dedupKey: "transient" });
    const claimed = await queue.claimTasks("owner", 10, 60_000, new Date(Date.now() + 1000));
    const final = claimed.find((t) => t.kind === "test.final")!;
    const transient = claimed.find((t) => t.kind === "test.transient")!;
    await queue.failTask(final, "owner", new adminApi.ShopifyConsentError("refused: INVALID on input.customerId", false), new Date());
    await queue.failTask(transient, "owner", new adminApi.ShopifyConsentError("GraphQL error", true), new Date());
    expect(await prisma.task.findUniqueOrThrow({ where: { id: final.id } })).toMatchObject({ status: "failed", lastError: "refused: INVALID on input.customerId" });
    expect((await prisma.task.findUniqueOrThrow({ where: { id: transient.id } })).status).toBe("queued");
  });
});
