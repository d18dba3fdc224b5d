import type { Db } from "../db.server";

/**
 * So the abandoned-cart flow knows whose cart it is. The cart webhook may arrive before or after
 * the opt-in: when it has not arrived yet, an empty placeholder row (updated_at at the epoch, so
 * any real payload is newer) holds the link, and the webhook's upsert fills in the contents
 * without touching subscriberId.
 */
export interface CartLink {
  shop: string;
  cartToken?: string | null;
  checkoutToken?: string | null;
  at: Date;
}

export async function linkCart(tx: Db, input: CartLink, subscriberId: string): Promise<void> {
  // Never re-pointed: a cart or checkout token is all a form sends, and it proves nothing about
  // who is asking. A cart already linked to one shopper's number stays theirs, so no one can
  // have another shopper's cart reminders (its contents, its recovery link) sent to their phone.
  if (input.cartToken) {
    await tx.$executeRaw`
      INSERT INTO "Cart" (token, shop, "subscriberId", status, lines, "itemCount", "totalPrice", "shopifyUpdatedAt", "createdAt", "updatedAt")
      VALUES (${input.cartToken}, ${input.shop}, ${subscriberId}, 'emptied', '[]'::jsonb, 0, 0, to_timestamp(0), ${input.at}, ${input.at})
      ON CONFLICT (shop, token) DO UPDATE SET "subscriberId" = EXCLUDED."subscriberId", "updatedAt" = EXCLUDED."updatedAt"
       WHERE "Cart"."subscriberId" IS NULL OR "Cart"."subscriberId" = EXCLUDED."subscriberId"`;
  }
  if (input.checkoutToken) {
    await tx.checkout.updateMany({
      where: { shop: input.shop, token: input.checkoutToken, OR: [{ subscriberId: null }, { subscriberId }] },
      data: { subscriberId },
    });
  }
}
