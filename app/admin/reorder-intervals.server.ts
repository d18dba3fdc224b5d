import { z } from "zod";
import prisma from "../db.server";
import { repeatGaps } from "../flows/orders.server";
import type { ReorderConfig } from "../flows/settings";
import { fieldErrors, type FieldErrors } from "./form-errors";
import { INTERVAL_LIST_LIMIT } from "./flow-form";
import { intervalInUse, type ProductInterval } from "./reorder-intervals";

/** A LIKE pattern that matches `text` anywhere, with the pattern's own characters taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The reorder page's "Reorder intervals" card: the shop's most ordered products with the
 * interval the planner uses for each, and the merchant's own interval per product. Without a
 * search only products someone bought are listed (only they can be due for a reorder); a search
 * by title finds any product of the shop, so an interval can be set before the first order.
 */
export async function listReorderIntervals(
  shop: string,
  config: Pick<ReorderConfig, "defaultDays" | "minSamples">,
  { search, limit = INTERVAL_LIST_LIMIT }: { search?: string; limit?: number } = {},
): Promise<ProductInterval[]> {
  const term = search?.trim();
  const ranked = term
    ? await prisma.$queryRaw<Array<{ id: string; title: string; replenishmentDays: number | null; orders: number }>>`
        SELECT p.id, p.title, p."replenishmentDays", count(DISTINCT li."orderId")::int AS orders
          FROM "Product" p
          LEFT JOIN "OrderLineItem" li ON li.shop = p.shop AND li."productId" = p.id
         WHERE p.shop = ${shop} AND p.title ILIKE ${containing(term)}
         GROUP BY p.id, p.title, p."replenishmentDays"
         ORDER BY orders DESC, p.title, p.id
         LIMIT ${limit}`
    : await prisma.$queryRaw<Array<{ id: string; title: string; replenishmentDays: number | null; orders: number }>>`
        SELECT p.id, p.title, p."replenishmentDays", count(DISTINCT li."orderId")::int AS orders
          FROM "OrderLineItem" li
          JOIN "Product" p ON p.shop = li.shop AND p.id = li."productId"
         WHERE li.shop = ${shop}
         GROUP BY p.id, p.title, p."replenishmentDays"
         ORDER BY orders DESC, p.id
         LIMIT ${limit}`;
  const gaps = await repeatGaps(shop, ranked.map((p) => p.id));
  return ranked.map((p) => ({
    productId: p.id,
    title: p.title,
    orders: p.orders,
    replenishmentDays: p.replenishmentDays,
    ...intervalInUse({ replenishmentDays: p.replenishmentDays, repeatGapsDays: gaps.get(p.id) ?? [] }, config),
  }));
}

const intervalForm = z.object({
  productId: z.string().trim().min(1, "Choose a product"),
  // Empty clears the merchant's interval, so the learned or default one applies again.
  replenishmentDays: z
    .string()
    .trim()
    .transform((v) => (v === "" ? null : Number(v)))
    .pipe(z.number("Enter a number of days").int("Enter whole days").min(1, "Use 1 to 365 days").max(365, "Use 1 to 365 days").nullable()),
});

export type SaveIntervalResult =
  | { ok: true; productId: string }
  | { ok: false; productId: string; errors: FieldErrors }
  | { ok: false; productId: string; notFound: true };

export async function saveReorderInterval(shop: string, form: FormData): Promise<SaveIntervalResult> {
  const raw = { productId: String(form.get("productId") ?? ""), replenishmentDays: String(form.get("replenishmentDays") ?? "") };
  const parsed = intervalForm.safeParse(raw);
  if (!parsed.success) return { ok: false, productId: raw.productId, errors: fieldErrors(parsed.error) };
  const { productId, replenishmentDays } = parsed.data;
  // Product ids are only unique within a shop: the shop is part of the key, never implied.
  const { count } = await prisma.product.updateMany({ where: { shop, id: productId }, data: { replenishmentDays } });
  return count === 1 ? { ok: true, productId } : { ok: false, productId, notFound: true };
}
