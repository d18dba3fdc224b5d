import { Prisma, type ConsentScope, type SubscriberStatus } from "@prisma/client";
import { sqlQuery } from "../db.server";
import { groupedWrites } from "../shared/grouped-writes";

/**
 * The shopper's consent as it stands right before a send. The gate decides from facts read at
 * the start of a claimed batch (up to 1,000 rows, many seconds of sending); a STOP that lands in
 * between must still stop the message (WhatsApp Business Messaging Policy: honour opt-outs
 * before the next send). Each send asks here once its pacing wait is over.
 *
 * The reads are grouped like the sent recorder's writes: a read that arrives while one is
 * running waits for the next, which answers every subscriber waiting together in one statement.
 * Every answer comes from a statement that started after its send asked, so a STOP committed
 * before that moment is always seen; the dispatcher pays one indexed read per group of sends,
 * not one per message. See docs/decisions/021-operations-hardening.md.
 */
export interface CurrentConsent {
  status: SubscriberStatus;
  scope: ConsentScope;
  marketingStoppedAt: Date | null;
  marketingBlockedUntil: Date | null;
}

export interface ConsentRecheck {
  /** The subscriber's consent now; null when the subscriber is gone (redacted). */
  current(shop: string, subscriberId: string): Promise<CurrentConsent | null>;
}

interface Waiting {
  shop: string;
  subscriberId: string;
  resolve: (consent: CurrentConsent | null) => void;
  reject: (error: unknown) => void;
}

const MAX_GROUP = 1000;
/** Two reads may run at once, so a slow one does not hold every send behind it. */
const READERS = 2;

export function createConsentRecheck(): ConsentRecheck {
  async function read(group: Waiting[]) {
    try {
      const shops = group.map((w) => w.shop);
      const ids = group.map((w) => w.subscriberId);
      // Scoped by (shop, id) pairs: a subscriber id is only ever read for the shop it belongs to.
      // On the driver directly (one read per group of sends); instants as epoch milliseconds, as
      // the columns are UTC timestamps without a zone.
      const rows = await sqlQuery<{ id: string; shop: string; status: SubscriberStatus; scope: ConsentScope; stopped: number | null; blocked: number | null }>(Prisma.sql`
        SELECT s.id, s.shop, s.status::text AS status, s.scope::text AS scope,
               (extract(epoch FROM s."marketingStoppedAt") * 1000)::float8 AS stopped,
               (extract(epoch FROM s."marketingBlockedUntil") * 1000)::float8 AS blocked
          FROM "Subscriber" s
          JOIN unnest(${shops}::text[], ${ids}::text[]) AS k(shop, id) ON s.shop = k.shop AND s.id = k.id`);
      const found = new Map(rows.map((r) => [`${r.shop}\u0000${r.id}`, r]));
      for (const w of group) {
        const row = found.get(`${w.shop}\u0000${w.subscriberId}`);
        w.resolve(
          row
            ? {
                status: row.status,
                scope: row.scope,
                marketingStoppedAt: row.stopped === null ? null : new Date(Number(row.stopped)),
                marketingBlockedUntil: row.blocked === null ? null : new Date(Number(row.blocked)),
              }
            : null,
        );
      }
    } catch (error) {
      for (const w of group) w.reject(error);
    }
  }

  const enqueue = groupedWrites(read, MAX_GROUP, READERS);
  return {
    current(shop, subscriberId) {
      return new Promise((resolve, reject) => enqueue({ shop, subscriberId, resolve, reject }));
    },
  };
}
