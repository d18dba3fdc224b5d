import type { PrismaClient } from "@prisma/client";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import * as link from "../../../app/subscribers/shopper-link.server";

const database = useTestDatabase();

let prisma: PrismaClient;

const spain = "link-es.myshopify.com";
const usa = "link-us.myshopify.com";

beforeAll(async () => {
  prisma = database.prisma;
  await prisma.shop.createMany({ data: [{ shop: spain, countryCode: "ES" }, { shop: usa, countryCode: "US" }] });
  await prisma.subscriber.createMany({
    data: [
      { id: "sub-phone", shop: spain, phone: "+34612345678", callingCode: "34" },
      { id: "sub-customer", shop: spain, phone: "+34699999999", callingCode: "34", customerId: "555" },
      { id: "sub-other-shop", shop: usa, phone: "+34612345678", callingCode: "34" },
      // Two numbers on one Shopify customer: the earlier one answers for the customer.
      { id: "sub-first", shop: spain, phone: "+34611111111", callingCode: "34", customerId: "777", createdAt: new Date("2026-01-01T00:00:00Z") },
      { id: "sub-second", shop: spain, phone: "+34622222222", callingCode: "34", customerId: "777", createdAt: new Date("2026-02-01T00:00:00Z"), email: "shopper@example.com" },
    ],
  });
}, 60_000);

describe("linking shoppers to subscribers", () => {
  it("normalises national numbers with the shop's country", async () => {
    await prisma.$transaction(async (tx) => {
      expect(await link.normaliseShopperPhone(tx, spain, "612 34 56 78")).toBe("+34612345678");
      expect(await link.normaliseShopperPhone(tx, usa, "(201) 555-0123")).toBe("+12015550123");
      expect(await link.normaliseShopperPhone(tx, spain, "+34 612-345-678")).toBe("+34612345678");
      expect(await link.normaliseShopperPhone(tx, spain, "not a phone")).toBeNull();
      expect(await link.normaliseShopperPhone(tx, spain, null)).toBeNull();
    });
  });

  it("matches by phone first, then by customer id, within the shop only", async () => {
    await prisma.$transaction(async (tx) => {
      expect(await link.findSubscriberId(tx, spain, { phone: "+34612345678", customerId: "555" })).toBe("sub-phone");
      expect(await link.findSubscriberId(tx, spain, { phone: "+34600000000", customerId: "555" })).toBe("sub-customer");
      expect(await link.findSubscriberId(tx, usa, { phone: "+34612345678", customerId: null })).toBe("sub-other-shop");
      expect(await link.findSubscriberId(tx, usa, { phone: null, customerId: "555" })).toBeNull();
      expect(await link.findSubscriberId(tx, spain, { phone: null, customerId: null })).toBeNull();
    });
  });

  it("prefers a recorded link, then the phone, then the customer's earliest subscriber", async () => {
    await prisma.$transaction(async (tx) => {
      // A link recorded at opt-in wins over a phone and a customer that name others.
      expect(await link.findSubscriberId(tx, spain, { subscriberId: "sub-customer", phone: "+34612345678", customerId: "777" })).toBe("sub-customer");
      // A link to another shop's subscriber is no link here.
      expect(await link.findSubscriberId(tx, spain, { subscriberId: "sub-other-shop", phone: null, customerId: "777" })).toBe("sub-first");
      expect(await link.findSubscriberId(tx, spain, { subscriberId: "gone", phone: "+34612345678", customerId: null })).toBe("sub-phone");
      // Phone beats customer id even when the customer has other numbers.
      expect(await link.findSubscriberId(tx, spain, { phone: "+34622222222", customerId: "777" })).toBe("sub-second");
      expect(await link.findSubscriberId(tx, spain, { phone: null, customerId: "777" })).toBe("sub-first");
    });
    // Updating the later subscriber does not move the customer to it.
    await prisma.subscriber.update({ where: { id: "sub-second" }, data: { status: "subscribed" } });
    await prisma.$transaction(async (tx) => {
      expect(await link.findSubscriberId(tx, spain, { phone: null, customerId: "777" })).toBe("sub-first");
    });
  });

  it("returns the fields asked for, the same way for abandoned carts", async () => {
    const flows = await import("../../../app/flows/abandoned-cart.server");
    expect(await flows.findShopper(spain, { subscriberId: null, customerId: "555", phone: "+34612345678" })).toMatchObject({ id: "sub-phone" });
    expect(await flows.findShopper(spain, { subscriberId: null, customerId: "777", phone: null })).toMatchObject({ id: "sub-first", status: "pending" });
    const found = await prisma.$transaction((tx) => link.findSubscriber(tx, spain, { phone: "+34622222222", customerId: null }, { id: true, email: true }));
    expect(found).toEqual({ id: "sub-second", email: "shopper@example.com" });
  });
});
