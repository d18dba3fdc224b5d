import type { Prisma } from "@prisma/client";
import { InvalidPhoneNumber, parsePhone } from "../consent/phone.server";

/**
 * Who a checkout or order belongs to among the shop's WhatsApp subscribers. Subscriber.phone is
 * E.164, while Shopify passes phones as the shopper typed them ("(312) 345-6789"), so they are
 * normalised with the shop's country as the default region before matching.
 */
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

/**
 * The one lookup from what a cart, checkout or order says about its shopper to a subscriber.
 * Precedence, first match wins:
 * 1. `subscriberId`, a link already recorded (the opt-in on that very cart or checkout);
 * 2. `phone` (E.164): what WhatsApp addresses and what the shopper consented with, unique per shop;
 * 3. `customerId`: Shopify's customer, which several numbers can share; the earliest subscriber
 *    linked to it, so the answer does not change as rows are updated.
 * Email never links: a subscriber's consent is tied to a number, and Shopify's email is not it.
 * Every step is scoped to the shop.
 */
export interface SubscriberContact {
  subscriberId?: string | null;
  phone: string | null;
  customerId: string | null;
}

type Db = Pick<Prisma.TransactionClient, "subscriber">;

export async function findSubscriber<S extends Prisma.SubscriberSelect>(
  db: Db,
  shop: string,
  contact: SubscriberContact,
  select: S,
): Promise<Prisma.SubscriberGetPayload<{ select: S }> | null> {
  if (contact.subscriberId) {
    const linked = await db.subscriber.findFirst({ where: { shop, id: contact.subscriberId }, select });
    if (linked) return linked as Prisma.SubscriberGetPayload<{ select: S }>;
  }
  if (contact.phone) {
    const byPhone = await db.subscriber.findUnique({ where: { shop_phone: { shop, phone: contact.phone } }, select });
    if (byPhone) return byPhone as Prisma.SubscriberGetPayload<{ select: S }>;
  }
  if (contact.customerId) {
    const byCustomer = await db.subscriber.findFirst({
      where: { shop, customerId: contact.customerId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select,
    });
    if (byCustomer) return byCustomer as Prisma.SubscriberGetPayload<{ select: S }>;
  }
  return null;
}

/** The id of the subscriber this contact is (see findSubscriber for the precedence). */
export async function findSubscriberId(db: Db, shop: string, contact: SubscriberContact): Promise<string | null> {
  return (await findSubscriber(db, shop, contact, { id: true }))?.id ?? null;
}
