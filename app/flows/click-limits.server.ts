import { createHash } from "node:crypto";
import { env } from "../env.server";
import { takeBounded } from "../security/rate-limit.server";

/**
 * How many taps of tracked links are written down. Every counted tap writes a Click row, an
 * event and (the first) the notification: a script hammering one link, or one address walking
 * many, would otherwise grow those tables without bound. Past a bound the shopper is still
 * redirected, only the write is skipped: a real shopper taps a link a handful of times, so the
 * bound never hides a click that attribution needs (it keys on the first). See
 * docs/decisions/021-operations-hardening.md.
 */
export const CLICKS_PER_LINK = { limit: 20, windowMs: 3_600_000 };
export const CLICKS_PER_ADDRESS = { limit: 120, windowMs: 3_600_000 };

/** The address is hashed into the key: the counters table holds no client addresses. */
function addressKey(address: string): string {
  const salt = env().CONSENT_HASH_SALT ?? env().SHOPIFY_API_SECRET;
  return createHash("sha256").update(`${salt}:${address}`).digest("hex").slice(0, 32);
}

/** True when this tap is to be written; false past either bound (redirect anyway). */
export async function clickCountable(shop: string, token: string, address: string | null, now: Date): Promise<boolean> {
  if (address && !(await takeBounded({ key: `click:addr:${shop}:${addressKey(address)}`, ...CLICKS_PER_ADDRESS }, now))) return false;
  return takeBounded({ key: `click:link:${token}`, ...CLICKS_PER_LINK }, now);
}
