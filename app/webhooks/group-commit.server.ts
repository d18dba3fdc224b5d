import type { Prisma } from "@prisma/client";
import { sqlBatch } from "../db.server";
import { groupedWrites } from "../shared/grouped-writes";
import { errorFields, log } from "../shared/log.server";

/**
 * Group commit for webhook deliveries. A delivery is a few statements that must commit together
 * (its receipt and its writes); deliveries that arrive while the writers are busy are sent as one
 * transaction in one round trip, so a burst costs one commit per group instead of one per
 * delivery. Each delivery is still answered only once its own writes are committed.
 *
 * `key` names the rows a delivery locks (a cart, an inventory item). A group holds at most one
 * delivery per key, and takes its deliveries in key order, so two groups never wait on each other
 * in a cycle; a later delivery for a key already in the group goes in the next one, which also
 * keeps each delivery's snapshot rules as they are alone (docs/decisions/015-webhook-ingest-path.md).
 *
 * When a group fails (a bad delivery, a dropped connection, a deadlock with some other writer),
 * the whole transaction is rolled back and each of its deliveries runs again alone, so one
 * delivery's failure is never another's.
 */
export interface Delivery {
  key: string;
  statements: Prisma.Sql[];
}

type Run = (statements: Prisma.Sql[]) => Promise<unknown[][]>;

interface Waiting extends Delivery {
  resolve(rows: unknown[][]): void;
  reject(error: unknown): void;
}

/** Up to this many deliveries per transaction: a group's locks are held until its commit. */
const MAX_GROUP = 64;
/** Groups in flight at once, each on a connection of its own (the pool holds 10). */
const WRITERS = 2;

const byKey = (a: Waiting, b: Waiting) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export function createGroupCommit(run: Run, options: { maxGroup?: number; writers?: number } = {}) {
  async function write(group: Waiting[]): Promise<Waiting[]> {
    const keys = new Set<string>();
    const now: Waiting[] = [];
    const later: Waiting[] = [];
    for (const waiting of group) {
      (keys.has(waiting.key) ? later : now).push(waiting);
      keys.add(waiting.key);
    }
    now.sort(byKey);
    try {
      const rows = await run(now.flatMap((waiting) => waiting.statements));
      let at = 0;
      for (const waiting of now) {
        waiting.resolve(rows.slice(at, at + waiting.statements.length));
        at += waiting.statements.length;
      }
    } catch (error) {
      if (now.length === 1) now[0].reject(error);
      else {
        // errorFields keeps the SQLSTATE, never the message: a message can quote a payload's values.
        log.warn("webhook group failed; committing its deliveries one by one", { deliveries: now.length, error: errorFields(error) });
        await Promise.all(now.map((waiting) => run(waiting.statements).then(waiting.resolve, waiting.reject)));
      }
    }
    return later;
  }

  const enqueue = groupedWrites(write, options.maxGroup ?? MAX_GROUP, options.writers ?? WRITERS);
  return (delivery: Delivery) => new Promise<unknown[][]>((resolve, reject) => enqueue({ ...delivery, resolve, reject }));
}

let commit: ReturnType<typeof createGroupCommit> | undefined;

/** Commits a delivery's statements, with whatever deliveries arrive alongside; the rows of each. */
export function commitDelivery(delivery: Delivery): Promise<unknown[][]> {
  commit ??= createGroupCommit(sqlBatch);
  return commit(delivery);
}
