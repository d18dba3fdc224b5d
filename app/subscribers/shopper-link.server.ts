import type { Prisma } from "@prisma/client";
import { InvalidPhoneNumber, parsePhone } from "../consent/phone.server";

/**
 * Who a checkout or order belongs to among the shop's WhatsApp subscribers. Subscriber.phone is
 * E.164, while Shopify passes phones as the shopper typed them ("(312) 345-6789"), so they are
 * normalised with the shop's country as the default region before matching.
 */
export interface ShopperContact {
  phone: string | null;
  email: string | null;
  customerId: string | null;
}

/** E.164 when the number parses for the shop's country, else null (it cannot match anyone). */
export async function normaliseShopperPhone(
  tx: Prisma.TransactionClient,
  shop: string,
  raw: string | null,
): Promise<string | null> {
  if (!raw) return null;
  const row = await tx.shop.findUnique({ where: { shop }, select: { countryCode: true } });
  try {
    return parsePhone(raw, row?.countryCode ?? null).e164;
  } catch (error) {
    if (error instanceof InvalidPhoneNumber) return null;
    throw error;
  }
}

/** The subscriber this contact is: same phone first (what WhatsApp addresses), else customer id. */
export async function findSubscriberId(
  tx: Prisma.TransactionClient,
  shop: string,
  contact: Pick<ShopperContact, "phone" | "customerId">,
): Promise<string | null> {
  if (contact.phone) {
    const byPhone = await tx.subscriber.findUnique({
      where: { shop_phone: { shop, phone: contact.phone } },
      select: { id: true },
    });
    if (byPhone) return byPhone.id;
  }
  if (contact.customerId) {
    const byCustomer = await tx.subscriber.findFirst({
      where: { shop, customerId: contact.customerId },
      orderBy: { createdAt: "asc" },
      select: { id: true },
    });
    if (byCustomer) return byCustomer.id;
  }
  return null;
}
