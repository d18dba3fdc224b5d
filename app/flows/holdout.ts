import { createHash } from "node:crypto";
import type { Flow } from "@prisma/client";

/**
 * Control-group membership: a deterministic hash of shop, flow and subscriber, so re-planning
 * (a replayed webhook, a cart that changes again) keeps a shopper on the same side and the lift
 * the dashboard shows is not diluted by shoppers switching groups.
 *
 * The bucket is the first 32 bits of md5("shop:flow:subscriber") modulo 100. The set-based
 * back-in-stock and campaign inserts compute the same expression in SQL (holdoutBucketSql in
 * fan-out.server.ts).
 */
export function holdoutBucket(shop: string, flow: Flow, subscriberId: string): number {
  const hex = createHash("md5").update(`${shop}:${flow}:${subscriberId}`).digest("hex").slice(0, 8);
  return Number.parseInt(hex, 16) % 100;
}

export function isHeldOut(shop: string, flow: Flow, subscriberId: string, holdoutPercent: number): boolean {
  if (holdoutPercent <= 0) return false;
  return holdoutBucket(shop, flow, subscriberId) < holdoutPercent;
}

