import type { Prisma } from "@prisma/client";
import { z } from "zod";
import type { WebhookMeta } from "../webhooks/ingest.server";

/**
 * shop/redact: 48 hours after uninstall Shopify asks for every piece of the shop's data to be
 * erased. Every table that carries a `shop` column is emptied of the shop's rows, found from the
 * catalogue, so a model added later cannot be forgotten here.
 * https://shopify.dev/docs/apps/build/privacy-law-compliance#shop-redact
 */
export const shopRedactPayload = z.object({
  shop_id: z.union([z.number(), z.string()]).optional(),
  shop_domain: z.string().optional(),
});

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function eraseShop(tx: Prisma.TransactionClient, shop: string): Promise<Record<string, number>> {
  // information_schema names are of type `name`, which Prisma's pg adapter cannot decode (27403).
  const tables = await tx.$queryRaw<Array<{ table_name: string }>>`
    SELECT CAST(c.table_name AS text) AS table_name FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND c.column_name = 'shop' AND t.table_type = 'BASE TABLE'
     ORDER BY c.table_name`;
  const erased: Record<string, number> = {};
  // Children first where it matters: "Shop" last, so nothing that references it is left behind.
  const ordered = [...tables.map((t) => t.table_name).filter((n) => n !== "Shop"), ...tables.some((t) => t.table_name === "Shop") ? ["Shop"] : []];
  for (const table of ordered) {
    erased[table] = await tx.$executeRawUnsafe(`DELETE FROM ${quoteIdent(table)} WHERE shop = $1`, shop);
  }
  // Opt-in rate counters name the shop inside their key ("optin:phone:<shop>:<E.164>").
  erased.RateCounter = (await tx.rateCounter.deleteMany({ where: { key: { contains: `:${shop}:` } } })).count;
  return erased;
}

/**
 * shop/redact comes 48 hours after an uninstall; a shop that has installed the app again since
 * is a customer again, and erasing it would wipe a live shop. It is left alone.
 */
export async function installedShopRedact(tx: Prisma.TransactionClient, meta: WebhookMeta): Promise<string | null> {
  const [shop] = await tx.$queryRaw<Array<{ status: string }>>`
    SELECT CAST(status AS text) AS status FROM "Shop" WHERE shop = ${meta.shop} FOR UPDATE`;
  return shop?.status === "installed" ? "shop is installed" : null;
}

export async function applyShopRedact(tx: Prisma.TransactionClient, meta: WebhookMeta) {
  await eraseShop(tx, meta.shop);
}
