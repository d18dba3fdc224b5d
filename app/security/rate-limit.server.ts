import prisma from "../db.server";

/**
 * Fixed-window counters in the database, so every app process behind the load balancer shares
 * one count: an attacker spreading requests over processes gains nothing. One atomic upsert per
 * hit; a window's row is keyed by its start, so no clock coordination between processes is needed.
 */
export interface RateLimit {
  /** What is counted, e.g. "optin:ip:203.0.113.9" */
  key: string;
  limit: number;
  windowMs: number;
}

export interface RateDecision {
  allowed: boolean;
  count: number;
  /** Seconds until the window resets; for the Retry-After header */
  retryAfter: number;
}

/**
 * Counts one hit. With `db` a transaction, the hit is part of it: rolled back with it, and the
 * window's row stays locked until it ends (so concurrent hits of one key queue behind it).
 */
export async function hitRateLimit(rule: RateLimit, now: Date, db: Pick<typeof prisma, "$queryRaw"> = prisma): Promise<RateDecision> {
  const startMs = Math.floor(now.getTime() / rule.windowMs) * rule.windowMs;
  const windowStart = new Date(startMs);
  const rows = await db.$queryRaw<Array<{ count: number }>>`
    INSERT INTO "RateCounter" (key, "windowStart", count) VALUES (${rule.key}, ${windowStart}, 1)
    ON CONFLICT (key, "windowStart") DO UPDATE SET count = "RateCounter".count + 1
    RETURNING count`;
  const count = Number(rows[0]?.count ?? 0);
  return {
    allowed: count <= rule.limit,
    count,
    retryAfter: Math.max(1, Math.ceil((startMs + rule.windowMs - now.getTime()) / 1000)),
  };
}

/**
 * Takes one hit only while the window is under its limit; resolves to whether it was taken.
 * Past the limit nothing is written: a read answers, and the upsert's own guard covers the race
 * between two hits at the limit (PostgreSQL writes no new row version when its WHERE fails). So
 * a flood costs at most `limit` writes per window, where hitRateLimit costs one per request.
 */
export async function takeBounded(rule: RateLimit, now: Date): Promise<boolean> {
  const windowStart = new Date(Math.floor(now.getTime() / rule.windowMs) * rule.windowMs);
  const [seen] = await prisma.$queryRaw<Array<{ count: number }>>`
    SELECT count FROM "RateCounter" WHERE key = ${rule.key} AND "windowStart" = ${windowStart}`;
  if (seen && Number(seen.count) >= rule.limit) return false;
  const taken = await prisma.$queryRaw<Array<{ count: number }>>`
    INSERT INTO "RateCounter" (key, "windowStart", count) VALUES (${rule.key}, ${windowStart}, 1)
    ON CONFLICT (key, "windowStart") DO UPDATE SET count = "RateCounter".count + 1
     WHERE "RateCounter".count < ${rule.limit}
    RETURNING count`;
  return taken.length > 0;
}

/** Windows older than this are of no use to any limit we set. */
const KEEP_MS = 24 * 3600_000;

/** Checks several limits; all are counted, the first one exceeded is reported. */
export async function hitRateLimits(rules: RateLimit[], now: Date): Promise<RateDecision> {
  // Each call also clears a few expired windows, so the table stays small without a cron job.
  await prisma.$executeRaw`
    DELETE FROM "RateCounter" WHERE ctid IN (
      SELECT ctid FROM "RateCounter" WHERE "windowStart" < ${new Date(now.getTime() - KEEP_MS)} LIMIT 50)`;
  let verdict: RateDecision = { allowed: true, count: 0, retryAfter: 0 };
  for (const rule of rules) {
    const decision = await hitRateLimit(rule, now);
    if (!decision.allowed && verdict.allowed) verdict = decision;
  }
  return verdict;
}

/** Drops windows that ended long ago; run from periodic maintenance. */
export async function pruneRateCounters(before: Date): Promise<number> {
  const { count } = await prisma.rateCounter.deleteMany({ where: { windowStart: { lt: before } } });
  return count;
}
