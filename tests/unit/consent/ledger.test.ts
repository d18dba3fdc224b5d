import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { saveCart } from "../../../app/carts/cart.server";
import * as ledger from "../../../app/consent/ledger.server";
import * as optin from "../../../app/consent/optin.server";
import * as phone from "../../../app/consent/phone.server";

const database = useTestDatabase();

let prisma: typeof import("../../../app/db.server").default;
const SHOP = "ledger-test.myshopify.com";
const OTHER = "ledger-other.myshopify.com";
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 20, 10, minutes));

beforeAll(async () => {
  prisma = database.prisma;
  await prisma.shop.create({ data: { shop: SHOP, name: "Ledger Shop", settings: { create: {} } } });
  await prisma.shop.create({ data: { shop: OTHER, name: "Other", settings: { create: { doubleOptIn: false } } } });
});

const input = (overrides: Partial<import("../../../app/consent/optin.server").OptInInput> = {}) => ({
  shop: SHOP,
  phone: phone.parsePhone("+34 611 222 333"),
  source: "product_block" as const,
  text: "Message me on WhatsApp from Ledger Shop when it is back.",
  textVersion: "v1",
  locale: "es",
  deviceHash: ledger.hashDevice("203.0.113.1", "Mozilla/5.0"),
  variantId: "900",
  productId: "800",
  at: at(0),
  ...overrides,
});

describe("deriveStatus", () => {
  it("takes the latest status-bearing event", () => {
    const e = (kind: "opt_in" | "confirmed" | "opt_out" | "re_opt_in" | "marketing_stopped", context: object = {}) => ({ kind, context });
    expect(ledger.deriveStatus([])).toBeNull();
    expect(ledger.deriveStatus([e("opt_in", { requiresConfirmation: true })])).toBe("pending");
    expect(ledger.deriveStatus([e("opt_in", { requiresConfirmation: false })])).toBe("subscribed");
    expect(ledger.deriveStatus([e("opt_in", { requiresConfirmation: true }), e("confirmed")])).toBe("subscribed");
    expect(ledger.deriveStatus([e("opt_in"), e("confirmed"), e("opt_out")])).toBe("unsubscribed");
    expect(ledger.deriveStatus([e("opt_in"), e("opt_out"), e("re_opt_in")])).toBe("subscribed");
    expect(ledger.deriveStatus([e("opt_in"), e("marketing_stopped")])).toBe("subscribed");
  });
});

describe("hashDevice", () => {
  it("is a salted sha256 that never contains the IP", () => {
    const hash = ledger.hashDevice("203.0.113.1", "UA")!;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toBe(ledger.hashDevice("203.0.113.2", "UA"));
    expect(ledger.hashDevice(null, null)).toBeNull();
  });
});

describe("recordOptIn", () => {
  it("starts pending with a confirmation, and a late STOP does not undo a newer opt-in", async () => {
    const first = await optin.recordOptIn(input());
    expect(first).toMatchObject({ status: "pending", recorded: true, confirmationScheduled: true });
    const confirmation = await prisma.notification.findFirstOrThrow({ where: { shop: SHOP, subscriberId: first.subscriberId } });
    expect(confirmation).toMatchObject({ flow: "optin_confirmation", templateName: "optin_confirmation", templateLanguage: "es" });

    const again = await optin.recordOptIn(input({ at: at(1) }));
    expect(again).toMatchObject({ recorded: false, confirmationScheduled: false });
    expect(await prisma.consentEvent.count({ where: { subscriberId: first.subscriberId } })).toBe(1);

    // An opt-out that happened (per its own timestamp) before a newer opt-in loses to it.
    await prisma.$transaction(async (tx) => {
      await ledger.appendConsentEvent(tx, { shop: SHOP, subscriberId: first.subscriberId, kind: "confirmed", source: "whatsapp_reply", occurredAt: at(2) });
      await ledger.appendConsentEvent(tx, { shop: SHOP, subscriberId: first.subscriberId, kind: "opt_in", source: "cart_block", occurredAt: at(10), context: { requiresConfirmation: false } });
      const { status } = await ledger.appendConsentEvent(tx, { shop: SHOP, subscriberId: first.subscriberId, kind: "opt_out", source: "whatsapp_reply", occurredAt: at(5) });
      expect(status).toBe("subscribed");
    });
  });

  it("a confirmed number asking for another variant needs no new confirmation", async () => {
    const result = await optin.recordOptIn(input({ variantId: "901", at: at(20) }));
    expect(result).toMatchObject({ status: "subscribed", recorded: true, confirmationScheduled: false });
    expect(await prisma.backInStockRequest.count({ where: { shop: SHOP, subscriberId: result.subscriberId } })).toBe(2);
  });

  it("asking again for a variant already notified puts the request back in line for the next restock only", async () => {
    const first = await optin.recordOptIn(input({ variantId: "901", at: at(21) }));
    const key = { shop_subscriberId_variantId: { shop: SHOP, subscriberId: first.subscriberId, variantId: "901" } };
    await prisma.backInStockRequest.update({ where: key, data: { status: "notified", restockId: "evt-restock-1", notifiedAt: at(22) } });
    await optin.recordOptIn(input({ variantId: "901", at: at(23) }));
    // The restock that already messaged them is remembered, so it cannot message them twice.
    expect(await prisma.backInStockRequest.findUniqueOrThrow({ where: key })).toMatchObject({ status: "waiting", restockId: "evt-restock-1", notifiedAt: null });
  });

  it("is scoped to its shop, and single opt-in shops subscribe at once", async () => {
    const other = await optin.recordOptIn(input({ shop: OTHER, text: "WhatsApp from Other" }));
    expect(other).toMatchObject({ status: "subscribed", confirmationScheduled: false });
    const mine = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop: SHOP, phone: "+34611222333" } } });
    expect(other.subscriberId).not.toBe(mine.id);
  });

  it("after an opt-out, a new storefront opt-in is recorded again and asks for confirmation", async () => {
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop: SHOP, phone: "+34611222333" } } });
    await prisma.$transaction((tx) =>
      ledger.appendConsentEvent(tx, { shop: SHOP, subscriberId: subscriber.id, kind: "opt_out", source: "whatsapp_reply", occurredAt: at(30) }),
    );
    const result = await optin.recordOptIn(input({ at: at(31) }));
    expect(result).toMatchObject({ status: "pending", recorded: true, confirmationScheduled: true });
  });
});

describe("double-submitted opt-ins", () => {
  it("records one subscriber and one opt-in when the same form arrives ten times at once", async () => {
    const same = () => optin.recordOptIn(input({ phone: phone.parsePhone("+34 633 444 555"), source: "cart_block", variantId: undefined, productId: undefined, cartToken: "cart-double", at: at(50) }));
    const results = await Promise.all(Array.from({ length: 10 }, same));
    expect(new Set(results.map((r) => r.subscriberId)).size).toBe(1);
    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    const subscriber = await prisma.subscriber.findUniqueOrThrow({ where: { shop_phone: { shop: SHOP, phone: "+34633444555" } } });
    expect(await prisma.consentEvent.count({ where: { subscriberId: subscriber.id, kind: "opt_in" } })).toBe(1);
  });
});

describe("linking a cart block opt-in to its cart", () => {
  it("holds the link when the opt-in comes before the cart webhook, and keeps it when the cart arrives", async () => {
    const result = await optin.recordOptIn(input({ phone: phone.parsePhone("+34 622 111 000"), source: "cart_block", variantId: undefined, productId: undefined, cartToken: "cart-late", at: at(40) }));
    const placeholder = await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: "cart-late" } } });
    expect(placeholder).toMatchObject({ subscriberId: result.subscriberId, itemCount: 0, status: "emptied" });

    await prisma.$transaction((tx) =>
      saveCart(tx, SHOP, {
        token: "cart-late",
        lines: [{ variantId: "1", productId: "2", title: "Mug", quantity: 2, price: "9.50" }],
        itemCount: 2,
        totalPrice: "19.00",
        currency: "EUR",
        status: "open",
        shopifyUpdatedAt: at(39),
      }),
    );
    const cart = await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: "cart-late" } } });
    expect(cart).toMatchObject({ subscriberId: result.subscriberId, itemCount: 2, status: "open" });
    expect(await prisma.cart.count({ where: { shop: OTHER, token: "cart-late" } })).toBe(0);
  });
});

describe("parsePhone", () => {
  it("normalises to E.164 with calling and country codes", () => {
    expect(phone.parsePhone("612 345 678", "ES")).toEqual({ e164: "+34612345678", callingCode: "34", countryCode: "ES" });
    expect(phone.parsePhone("(11) 98765-4321", "BR")).toEqual({ e164: "+5511987654321", callingCode: "55", countryCode: "BR" });
    expect(phone.parsePhone("0812-3456-7890", "ID").e164).toBe("+6281234567890");
    expect(phone.parsePhone("+49 1512 3456789", "ES").countryCode).toBe("DE");
  });

  it("throws InvalidPhoneNumber for what is not a dialable number", () => {
    for (const bad of ["", "12", "abc", "+34 1", "<script>", "+999 123456", "1".repeat(41)]) {
      expect(() => phone.parsePhone(bad, "ES"), bad).toThrow(phone.InvalidPhoneNumber);
    }
  });
});
