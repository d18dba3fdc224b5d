import type { Prisma } from "@prisma/client";
import type { z } from "zod";
import type { Carried } from "../db/carried.server";

/** What ingest knows of a delivery besides its payload. */
export interface WebhookMeta {
  shop: string;
  topic: string;
  /** X-Shopify-Event-Id (same for every delivery of one event), else X-Shopify-Webhook-Id */
  eventId: string;
  triggeredAt: Date | null;
  apiVersion: string;
}

interface HandlerBase<T> {
  /** The topic this endpoint is subscribed to in shopify.app.toml ("carts/update") */
  topic: string;
  schema: z.ZodType<T>;
  /** Payloads for shops that never installed (or uninstalled) are acknowledged and dropped. */
  requiresInstalledShop: boolean;
  /** The shop a payload names itself, where it does: it must be the X-Shopify-Shop-Domain shop. */
  payloadShop?(payload: T): string | null | undefined;
}

/**
 * A topic's writes through the ORM, in a transaction that first records the receipt: `apply`
 * runs only for the first delivery of an event to an installed shop.
 */
export interface AppliedInTransaction<T> extends HandlerBase<T> {
  apply(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: T): Promise<void>;
  /**
   * A reason to leave this delivery alone (it would undo something newer), or null. Runs in the
   * transaction before the receipt, so an ignored delivery writes nothing at all.
   */
  skip?(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: T): Promise<string | null>;
}

/**
 * The fast path for the busiest topics (carts, inventory levels). The handler's module writes
 * whole statements of its own; ingest sends them right after the delivery's receipt statement,
 * in the same transaction and the same round trip, grouped with the deliveries that arrive
 * alongside (app/webhooks/group-commit.server.ts). No result comes back in between, so each
 * statement writes only while `received` is raised: the receipt statement raises it for the
 * first delivery of an event to an installed shop (app/db/carried.server.ts).
 *
 * Each statement reads a snapshot taken when it starts, so a statement that must see what an
 * earlier lock holder committed comes after the one that takes the lock.
 */
export interface Pipelined<T> extends HandlerBase<T> {
  pipelined: {
    /**
     * Names the rows the statements lock, within the shop (a cart's token, an inventory item):
     * deliveries of one key never share a group commit.
     */
    lockKey(payload: T): string;
    statements(meta: WebhookMeta, payload: T, received: Carried<boolean>): Prisma.Sql[];
  };
}

export type WebhookHandler<T> = AppliedInTransaction<T> | Pipelined<T>;
