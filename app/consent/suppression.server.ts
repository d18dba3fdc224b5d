import { createHmac, createHash } from "node:crypto";
import { Prisma } from "@prisma/client";
import { appendConsentEvent } from "./ledger.server";
import type { Db } from "../db.server";
import { env } from "../env.server";

/**
 * What survives a subscriber's erasure (retention or customers/redact), and nothing more:
 * - a suppression for a number that ever opted out, or that WhatsApp said stopped marketing
 *   (131050, "never retry"): WhatsApp's Business Messaging Policy requires honouring a request to
 *   stop, and forgetting the row would let a late or imported opt-in message the number again. It
 *   is an HMAC of shop and number under the app's consent salt: a bare hash of a phone number is
 *   reversed by trying every number of a country, the keyed one is not.
 * - an anonymous count of the consent events erased, per month, kind and source, as the record
 *   that consent existed.
 * https://business.whatsapp.com/policy
 */
function suppressionKey(): string {
  const { CONSENT_HASH_SALT, SHOPIFY_API_SECRET } = env();
  return CONSENT_HASH_SALT ?? createHash("sha256").update(`phone-suppression-key:${SHOPIFY_API_SECRET}`).digest("hex");
}

export function phoneHash(shop: string, e164: string): string {
  return createHmac("sha256", suppressionKey()).update(`${shop}\n${e164}`).digest("hex");
}

/**
 * The same keyed hash for Meta's other identifiers of a shopper (a business-scoped user id, a
 * wa_id): what is kept or used as a key without naming the person.
 */
export function identityHash(shop: string, kind: "bsuid" | "wa_id", value: string): string {
  return createHmac("sha256", suppressionKey()).update(`${shop}\n${kind}\n${value}`).digest("hex");
}

/**
 * Erases subscribers with their consent ledger and back-in-stock requests (cascade), keeping a
 * suppression for those who opted out and an anonymous tally of their consent events. Call in
 * the caller's transaction, with the rows locked. Resolves to the number of subscribers erased.
 */
export async function eraseSubscribers(tx: Db, shop: string, subscriberIds: string[]): Promise<number> {
  if (subscriberIds.length === 0) return 0;
  const stopped = await tx.$queryRaw<Array<{ phone: string; optedOutAt: Date | null; marketingStoppedAt: Date | null }>>`
    SELECT s.phone, s."marketingStoppedAt",
           -- An unsubscribed row without an opt-out event (a STOP recorded before the ledger was):
           -- its last change stands in for the STOP.
           COALESCE((SELECT max(e."occurredAt") FROM "ConsentEvent" e
                      WHERE e.shop = s.shop AND e."subscriberId" = s.id AND e.kind = 'opt_out'),
                    CASE WHEN s.status = 'unsubscribed' THEN s."updatedAt" END) AS "optedOutAt"
      FROM "Subscriber" s
     WHERE s.shop = ${shop} AND s.id IN (${Prisma.join(subscriberIds)})
       AND (s.status = 'unsubscribed' OR s."marketingStoppedAt" IS NOT NULL
            OR EXISTS (SELECT 1 FROM "ConsentEvent" e WHERE e.shop = s.shop AND e."subscriberId" = s.id AND e.kind = 'opt_out'))`;
  for (const row of stopped) {
    const optedOutAt = row.optedOutAt ?? null;
    await tx.$executeRaw`
      INSERT INTO "PhoneSuppression" (shop, "phoneHash", "optedOutAt", "marketingStoppedAt", "createdAt")
      VALUES (${shop}, ${phoneHash(shop, row.phone)}, ${optedOutAt}, ${row.marketingStoppedAt}, now())
      ON CONFLICT (shop, "phoneHash") DO UPDATE SET
        "optedOutAt" = GREATEST("PhoneSuppression"."optedOutAt", EXCLUDED."optedOutAt"),
        "marketingStoppedAt" = COALESCE(EXCLUDED."marketingStoppedAt", "PhoneSuppression"."marketingStoppedAt")`;
  }
  await tx.$executeRaw`
    INSERT INTO "ConsentTally" (shop, month, kind, source, count)
    SELECT shop, to_char("occurredAt", 'YYYY-MM'), kind, source, count(*)::int
      FROM "ConsentEvent" WHERE shop = ${shop} AND "subscriberId" IN (${Prisma.join(subscriberIds)})
     GROUP BY shop, to_char("occurredAt", 'YYYY-MM'), kind, source
    ON CONFLICT (shop, month, kind, source) DO UPDATE SET count = "ConsentTally".count + EXCLUDED.count`;
  await tx.holdoutAssignment.updateMany({ where: { shop, subscriberId: { in: subscriberIds } }, data: { subscriberId: null } });
  return (await tx.subscriber.deleteMany({ where: { shop, id: { in: subscriberIds } } })).count;
}

/**
 * A number erased after it opted out comes back (an opt-in form, a STOP, an import): its new
 * subscriber row gets the opt-out back in the ledger, dated when it happened, so everything the
 * ledger decides by time (a late opt-in older than the STOP changes nothing) holds as before.
 * Call right after creating the subscriber, in the same transaction.
 */
export async function restoreSuppression(tx: Db, shop: string, subscriberId: string, e164: string): Promise<boolean> {
  const hash = phoneHash(shop, e164);
  const found = await tx.phoneSuppression.findUnique({ where: { shop_phoneHash: { shop, phoneHash: hash } } });
  if (!found) return false;
  if (found.optedOutAt) {
    await appendConsentEvent(tx, {
      shop,
      subscriberId,
      kind: "opt_out",
      source: "suppression",
      occurredAt: found.optedOutAt,
      context: { restored: true },
    });
  }
  if (found.marketingStoppedAt) {
    await tx.subscriber.updateMany({ where: { shop, id: subscriberId }, data: { marketingStoppedAt: found.marketingStoppedAt } });
  }
  await tx.phoneSuppression.delete({ where: { shop_phoneHash: { shop, phoneHash: hash } } });
  return true;
}
