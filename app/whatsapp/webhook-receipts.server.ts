import type { Prisma } from "@prisma/client";
import prisma from "../db.server";

/**
 * Records a WhatsApp change and applies it in one transaction: the receipt is committed only
 * with the change it stands for. A failure, or the process dying half way, leaves neither, so
 * Meta's retry is applied instead of being taken for a duplicate. A concurrent copy of the
 * delivery waits on the receipt's unique key and then finds it.
 */
export async function applyOnce(eventId: string, shop: string, topic: string, apply: (tx: Prisma.TransactionClient) => Promise<unknown>) {
  await prisma.$transaction(async (tx) => {
    const inserted = await tx.$executeRaw`
      INSERT INTO "WebhookReceipt" ("eventId", shop, topic) VALUES (${eventId}, ${shop}, ${topic})
      ON CONFLICT ("eventId") DO NOTHING`;
    if (inserted > 0) await apply(tx);
  });
}

/**
 * Account-level changes (templates, limits, restrictions) name the WhatsApp Business Account in
 * the entry's id; each shop connected through that account gets the change once.
 */
export async function applyToShopsOfAccount(
  accountId: string,
  key: string,
  topic: string,
  apply: (tx: Prisma.TransactionClient, shop: string) => Promise<void>,
) {
  const connections = await prisma.whatsAppConnection.findMany({ where: { businessAccountId: accountId }, select: { shop: true } });
  for (const { shop } of connections) {
    await applyOnce(`${key}:${shop}`, shop, topic, (tx) => apply(tx, shop));
  }
}
