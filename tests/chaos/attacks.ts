import { randomUUID } from "node:crypto";
import { CLICKS_PER_ADDRESS as CLICKS_PER_ADDRESS_RULE, CLICKS_PER_LINK as CLICKS_PER_LINK_RULE } from "../../app/flows/click-limits.server";
import { cartPayload, cartToken, shopifyNumericId } from "../fakes/shopify/payloads";
import { sendWebhook } from "../fakes/shopify/webhooks";
import { CONSENT_ATTACKS } from "./consent-attacks";
import { SECRET, type Harness } from "./harness";

/**
 * Abuse of the app's operations rather than of its input parsing: each attack reports whether
 * the app refused it (bounded what it wrote, answered in time, recovered, kept the shopper's
 * consent theirs: consent-attacks.ts). run.ts fails the run when one was not refused. Add an
 * attack by adding a function to ATTACKS.
 */
export interface AttackOutcome {
  name: string;
  refused: boolean;
  detail: Record<string, unknown>;
}

export type Attack = (h: Harness) => Promise<AttackOutcome>;

const CLICKS_PER_LINK = CLICKS_PER_LINK_RULE.limit;
const CLICKS_PER_ADDRESS = CLICKS_PER_ADDRESS_RULE.limit;
const PHONE_BROWSER =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
const SHOP = "attacks.myshopify.com";

async function trackedLink(h: Harness): Promise<string> {
  const id = `attack-n-${randomUUID().slice(0, 8)}`;
  await h.sql(
    `INSERT INTO "Notification" (id, shop, flow, "dedupKey", status, "sendAt", "templateName", "updatedAt") VALUES ($1, $2, 'promotion', $1, 'sent', now(), 'spring_offer', now())`,
    [id, SHOP],
  );
  const token = randomUUID().replace(/-/g, "");
  await h.sql(`INSERT INTO "TrackedLink" (token, shop, "notificationId", destination) VALUES ($1, $2, $3, 'https://attacks.myshopify.com/products/shirt')`, [token, SHOP, id]);
  return token;
}

async function hits(h: Harness, requests: Array<{ token: string; from: string }>) {
  const statuses: number[] = [];
  const queue = [...requests];
  await Promise.all(
    Array.from({ length: 25 }, async () => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        const status = await fetch(`${h.url}/r/${r.token}`, { redirect: "manual", headers: { "User-Agent": PHONE_BROWSER, "X-Forwarded-For": r.from } }).then(
          (res) => res.status,
          () => 0,
        );
        statuses.push(status);
      }
    }),
  );
  return statuses;
}

const clicksOf = async (h: Harness, tokens: string[]) => (await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "Click" WHERE token = ANY($1)`, [tokens]))[0].n;

/** One tracked link hit 1,000 times, from one address and from forged ones. */
const linkFlood: Attack = async (h) => {
  const token = await trackedLink(h);
  const statuses = await hits(
    h,
    Array.from({ length: 1000 }, (_, i) => ({ token, from: i % 2 ? "203.0.113.66" : `198.51.${(i >> 8) & 255}.${i & 255}` })),
  );
  const clicks = await clicksOf(h, [token]);
  const redirected = statuses.filter((s) => s === 302).length;
  return { name: "link_flood", refused: clicks <= CLICKS_PER_LINK && redirected === statuses.length, detail: { hits: statuses.length, redirected, clicks_written: clicks } };
};

/** One address tapping many links. */
const addressWalk: Attack = async (h) => {
  const tokens: string[] = [];
  for (let i = 0; i < CLICKS_PER_ADDRESS + 40; i++) tokens.push(await trackedLink(h));
  const statuses = await hits(h, tokens.map((token) => ({ token, from: "192.0.2.99" })));
  const clicks = await clicksOf(h, tokens);
  const redirected = statuses.filter((s) => s === 302).length;
  return { name: "link_address_walk", refused: clicks <= CLICKS_PER_ADDRESS && redirected === statuses.length, detail: { hits: statuses.length, redirected, clicks_written: clicks } };
};

/**
 * A table the webhook path writes, locked by another session (a long migration, a stuck admin
 * query): deliveries must fail fast (Shopify retries a 5xx; past 5 s it gives up on the
 * attempt) instead of piling up, and succeed again once the lock is gone.
 */
const lockStall: Attack = async (h) => {
  const webhook = () =>
    sendWebhook(h.url, SECRET, {
      topic: "carts/update",
      shop: SHOP,
      payload: cartPayload({ token: cartToken(), lines: [{ variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Tea", quantity: 1, price: "8.00" }], updatedAt: new Date() }),
    }).then((r) => r.status, () => 0);
  await h.sql("BEGIN");
  let blocked: Array<{ status: number; ms: number }> = [];
  try {
    await h.sql(`LOCK TABLE "WebhookReceipt" IN ACCESS EXCLUSIVE MODE`);
    blocked = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const t0 = Date.now();
        const status = await webhook();
        return { status, ms: Date.now() - t0 };
      }),
    );
  } finally {
    await h.sql("ROLLBACK");
  }
  const after = await Promise.all(Array.from({ length: 5 }, webhook));
  const slowest = Math.max(...blocked.map((b) => b.ms));
  const refused = blocked.every((b) => b.status >= 500 && b.ms < 5_000) && after.every((s) => s === 200);
  return { name: "database_lock_stall", refused, detail: { blocked: blocked.map((b) => b.status), slowest_ms: slowest, after } };
};

export const ATTACKS: Attack[] = [linkFlood, addressWalk, lockStall, ...CONSENT_ATTACKS];

export async function operationalAttacks(h: Harness): Promise<AttackOutcome[]> {
  await h.sql(`INSERT INTO "Shop" (shop, "updatedAt") VALUES ($1, now()) ON CONFLICT DO NOTHING`, [SHOP]);
  const outcomes: AttackOutcome[] = [];
  for (const attack of ATTACKS) {
    try {
      outcomes.push(await attack(h));
    } catch (error) {
      outcomes.push({ name: attack.name || "attack", refused: false, detail: { error: error instanceof Error ? error.message : String(error) } });
    }
  }
  return outcomes;
}
