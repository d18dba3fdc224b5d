import { Prisma } from "@prisma/client";
import prisma from "../db.server";

/**
 * Signed Shopify deliveries that could not be applied. Answering them with an error would have
 * Shopify retry for 4 hours and then drop them; they are kept instead (topic, shop, event,
 * the headers a replay needs, the raw body, the reason), answered 200, and an operator replays
 * them through the same handler once the cause is fixed (`npm run webhooks:failed`).
 * docs/decisions/022-lossless-ids-and-failed-deliveries.md
 *
 * Bounded: one row per event (a retry or a replayed capture of the same signed body counts
 * attempts on it), at most MAX_FAILED_PER_SHOP rows per shop, 14 days (housekeeping), and a
 * shop's rows go with its other data on shop/redact.
 */
export const MAX_FAILED_PER_SHOP = 1_000;

export interface FailedDeliveryInput {
  shop: string;
  /** As X-Shopify-Topic named it ("carts/update") */
  topic: string;
  eventId: string;
  webhookId: string;
  apiVersion: string;
  triggeredAt: Date | null;
  body: Uint8Array;
  reason: string;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The body as the row holds it: text when it is UTF-8 without NUL (every JSON body), else base64. */
function storedBody(body: Uint8Array): { body: string; bodyEncoding: "utf8" | "base64" } {
  try {
    const text = strictUtf8.decode(body);
    if (!text.includes("\u0000")) return { body: text, bodyEncoding: "utf8" };
  } catch {
    // not UTF-8: kept byte for byte below
  }
  return { body: Buffer.from(body).toString("base64"), bodyEncoding: "base64" };
}

/** The bytes that were signed, back from the row. */
export function signedBody(row: { body: string; bodyEncoding: string }): Uint8Array {
  return row.bodyEncoding === "base64" ? new Uint8Array(Buffer.from(row.body, "base64")) : new TextEncoder().encode(row.body);
}

export type KeepOutcome = { kept: "new" | "again"; id: string } | { kept: "no_room" };

export async function keepFailedDelivery(input: FailedDeliveryInput, maxPerShop = MAX_FAILED_PER_SHOP): Promise<KeepOutcome> {
  const key = { shop_topic_eventId: { shop: input.shop, topic: input.topic, eventId: input.eventId } };
  const again = async () => {
    const row = await prisma.failedWebhook.update({
      where: key,
      data: { attempts: { increment: 1 }, lastTriedAt: new Date(), reason: input.reason },
      select: { id: true },
    });
    return { kept: "again", id: row.id } as const;
  };
  if (await prisma.failedWebhook.findUnique({ where: key, select: { id: true } })) return again();
  if ((await prisma.failedWebhook.count({ where: { shop: input.shop } })) >= maxPerShop) return { kept: "no_room" };
  try {
    const row = await prisma.failedWebhook.create({
      data: { ...input, ...storedBody(input.body) },
      select: { id: true },
    });
    return { kept: "new", id: row.id };
  } catch (error) {
    // The same event kept concurrently by another delivery of it.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return again();
    throw error;
  }
}

/** What an operator lists: everything but the body. */
export function listFailedDeliveries(shop?: string) {
  return prisma.failedWebhook.findMany({
    where: shop ? { shop } : {},
    orderBy: { receivedAt: "asc" },
    select: { id: true, shop: true, topic: true, eventId: true, attempts: true, reason: true, receivedAt: true, lastTriedAt: true },
  });
}

export function getFailedDelivery(id: string) {
  return prisma.failedWebhook.findUnique({ where: { id } });
}

export type FailedDelivery = NonNullable<Awaited<ReturnType<typeof getFailedDelivery>>>;

/** A replay that went through (applied, or found already applied): the row has served its purpose. */
export async function resolveFailedDelivery(id: string) {
  await prisma.failedWebhook.deleteMany({ where: { id } });
}

/** A replay that failed again: the newest reason is kept. */
export async function recordReplayFailure(id: string, reason: string) {
  await prisma.failedWebhook.updateMany({
    where: { id },
    data: { attempts: { increment: 1 }, lastTriedAt: new Date(), reason },
  });
}
