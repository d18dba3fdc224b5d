import { Prisma } from "@prisma/client";
import { databaseKind, sqlQuery } from "../db.server";
import { sqlTimestamp } from "../webhooks/sql.server";
import { PhoneNumberLimiter, clampRate } from "./rate-limit";
import { errorFields, log } from "../shared/log.server";

/**
 * A phone number's throughput, shared by every dispatcher that sends from it. Meta counts
 * messages per second per number, whichever process sent them (130429 past the limit), so on
 * PostgreSQL the budget lives in the database: a dispatcher reserves a slice of the current
 * second with one upsert of a RateCounter row (key "send:<phone number id>", one row per second)
 * and spends it locally; whatever a second leaves unspent is gone with it. PGlite is opened by one
 * process only, so there the same seconds are counted in memory.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/overview#throughput
 */
export interface SendPacer {
  /** Resolves when one more message may leave this phone number. */
  take(phoneNumberId: string, perSecond: number): Promise<void>;
}

const WINDOW_MS = 1000;
/** A reservation asks for this fraction of a second's budget, so parallel workers interleave. */
const SLICES = 20;
/** Seconds kept for inspection; older windows of a number go when its next second starts. */
const KEEP_MS = 60_000;

/**
 * Adds `want` to the number's count for the second starting at `windowStart` and answers how many
 * of them fit under `cap`. The count may pass the cap; only what fits is granted, so the first
 * writer after the cap is reached simply gets nothing. Runs every few dozen sends, so on the
 * driver directly (sqlQuery) rather than through Prisma.
 */
export async function reserveSendSlots(phoneNumberId: string, windowStart: Date, want: number, cap: number): Promise<number> {
  const key = `send:${phoneNumberId}`;
  const rows = await sqlQuery<{ count: number }>(Prisma.sql`
    INSERT INTO "RateCounter" (key, "windowStart", count) VALUES (${key}, ${sqlTimestamp(windowStart)}, ${want}::int)
    ON CONFLICT (key, "windowStart") DO UPDATE SET count = "RateCounter".count + EXCLUDED.count
    RETURNING count`);
  const before = Number(rows[0]?.count ?? want) - want;
  if (before === 0) {
    await sqlQuery(Prisma.sql`
      DELETE FROM "RateCounter" WHERE key = ${key} AND "windowStart" < ${sqlTimestamp(new Date(windowStart.getTime() - KEEP_MS))}`);
  }
  return Math.max(0, Math.min(want, cap - before));
}

/** reserveSendSlots for a database only this process opens (PGlite): the counts live in memory. */
export function inProcessReserve(): typeof reserveSendSlots {
  const seconds = new Map<string, { start: number; count: number }>();
  return async (phoneNumberId, windowStart, want, cap) => {
    const current = seconds.get(phoneNumberId);
    const before = current && current.start === windowStart.getTime() ? current.count : 0;
    seconds.set(phoneNumberId, { start: windowStart.getTime(), count: before + want });
    return Math.max(0, Math.min(want, cap - before));
  };
}

interface Window {
  start: number;
  tokens: number;
  /** The database said this second is spent: wait for the next one. */
  spent: boolean;
  reserving?: Promise<void>;
}

export class SharedSendBudget implements SendPacer {
  private readonly windows = new Map<string, Window>();
  private warned = false;

  private readonly fallback: SendPacer;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly reserve: typeof reserveSendSlots;

  constructor(options: {
    fallback?: SendPacer;
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
    reserve?: typeof reserveSendSlots;
  } = {}) {
    this.fallback = options.fallback ?? processPacer;
    this.now = options.now ?? (() => Date.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.reserve = options.reserve ?? reserveSendSlots;
  }

  async take(phoneNumberId: string, perSecond: number): Promise<void> {
    const cap = clampRate(perSecond);
    for (;;) {
      const t = this.now();
      const start = Math.floor(t / WINDOW_MS) * WINDOW_MS;
      let window = this.windows.get(phoneNumberId);
      if (!window || window.start !== start) {
        window = { start, tokens: 0, spent: false };
        this.windows.set(phoneNumberId, window);
      }
      if (window.tokens > 0) {
        window.tokens--;
        return;
      }
      if (window.spent) {
        await this.sleep(start + WINDOW_MS - t);
        continue;
      }
      const current = window;
      const want = Math.max(1, Math.ceil(cap / SLICES));
      current.reserving ??= this.reserve(phoneNumberId, new Date(start), want, cap)
        .then((granted) => {
          current.tokens += granted;
          if (granted < want) current.spent = true;
        })
        .finally(() => {
          current.reserving = undefined;
        });
      try {
        await current.reserving;
      } catch (error) {
        // The database is briefly out of reach (a restart, a killed connection): keep this
        // process under the number's rate on its own rather than stall the rows it holds.
        if (!this.warned) log.warn("send budget unavailable, pacing this process alone", { error: errorFields(error) });
        this.warned = true;
        return this.fallback.take(phoneNumberId, perSecond);
      }
    }
  }
}

/** Token buckets of this process: the fallback while the database cannot be reached. */
const processLimiter = new PhoneNumberLimiter();
export const processPacer: SendPacer = {
  take: (phoneNumberId, perSecond) => processLimiter.bucket(phoneNumberId, perSecond).take(),
};

let shared: SharedSendBudget | undefined;

/** The pacer every dispatcher of this process uses: through PostgreSQL, or in memory on PGlite. */
export function sendPacer(): SendPacer {
  return (shared ??= new SharedSendBudget(databaseKind() === "postgres" ? {} : { reserve: inProcessReserve() }));
}
