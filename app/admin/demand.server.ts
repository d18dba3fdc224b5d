import { Prisma } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";

/**
 * Back-in-stock demand: variants that are sold out (available <= 0, or not yet known) ranked by
 * how many shoppers wait for them, with the revenue those shoppers represent (waiting × price).
 * Ranked by an aggregate, so the keyset is (waiting, variantId) rather than (createdAt, id).
 */
const PAGE_SIZE = 50;

export interface DemandRow {
  variantId: string;
  productId: string;
  productTitle: string | null;
  variantTitle: string | null;
  sku: string | null;
  price: string;
  available: number | null;
  waiting: number;
  potentialRevenue: string;
  oldestRequestAt: string;
}

const cursorShape = z.object({ w: z.number().int().nonnegative(), v: z.string().min(1).max(200) });

export function encodeDemandCursor(row: { waiting: number; variantId: string }) {
  return Buffer.from(JSON.stringify({ w: row.waiting, v: row.variantId })).toString("base64url");
}

export function decodeDemandCursor(raw: string | null) {
  if (!raw) return null;
  try {
    const parsed = cursorShape.safeParse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

interface Raw {
  variantId: string;
  productId: string;
  productTitle: string | null;
  variantTitle: string | null;
  sku: string | null;
  price: Prisma.Decimal | string;
  available: number | null;
  waiting: number;
  oldest: Date;
}

export async function listDemand(shop: string, rawCursor: string | null, pageSize = PAGE_SIZE) {
  const cursor = decodeDemandCursor(rawCursor);
  const after = cursor
    ? Prisma.sql`WHERE (d.waiting < ${cursor.w} OR (d.waiting = ${cursor.w} AND d."variantId" > ${cursor.v}))`
    : Prisma.empty;
  const rows = await prisma.$queryRaw<Raw[]>`
    SELECT * FROM (
      SELECT v.id AS "variantId", v."productId", p.title AS "productTitle", v.title AS "variantTitle", v.sku,
             v.price, v.available, count(*)::int AS waiting, min(r."createdAt") AS oldest
        FROM "BackInStockRequest" r
        JOIN "Variant" v ON v.shop = r.shop AND v.id = r."variantId"
        LEFT JOIN "Product" p ON p.shop = v.shop AND p.id = v."productId"
       WHERE r.shop = ${shop} AND r.status = 'waiting' AND (v.available IS NULL OR v.available <= 0)
       GROUP BY v.id, v."productId", p.title, v.title, v.sku, v.price, v.available
    ) d
    ${after}
    ORDER BY d.waiting DESC, d."variantId" ASC
    LIMIT ${pageSize + 1}`;
  const more = rows.length > pageSize;
  const items: DemandRow[] = rows.slice(0, pageSize).map((r) => {
    const price = new Prisma.Decimal(String(r.price));
    return {
      variantId: r.variantId,
      productId: r.productId,
      productTitle: r.productTitle,
      variantTitle: r.variantTitle,
      sku: r.sku,
      price: price.toFixed(2),
      available: r.available,
      waiting: r.waiting,
      potentialRevenue: price.mul(r.waiting).toFixed(2),
      oldestRequestAt: new Date(r.oldest).toISOString(),
    };
  });
  const last = items[items.length - 1];
  return { items, next: more && last ? encodeDemandCursor(last) : null, first: !cursor };
}
