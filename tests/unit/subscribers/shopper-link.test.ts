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
});
