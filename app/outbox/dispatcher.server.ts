import { randomUUID } from "node:crypto";
import { env } from "../env.server";
import { systemClock, type Clock } from "../shared/clock";
import { errorFields, log } from "../shared/log.server";
import { loadBatchSnapshots, loadSnapshot } from "./batch-snapshot.server";
import { claimDue, defer, release, skip } from "./claim.server";
import { createConsentRecheck } from "./consent-recheck.server";
import { decide, PAUSED_RETRY_MS, type GateSnapshot } from "./gate";
import type { DispatcherDeps, SendingAccount } from "./ports";
import { sendFailures, type Outcome } from "./send-failures.server";
import { sendPacer, type SendPacer } from "./send-budget.server";
import { createSentRecorder } from "./sent-recorder.server";
import { batchTally, tierTally, type BatchTally } from "./tier-tally";
import type { ClaimedNotification, StoredTemplateParams } from "./types";

/**
 * The outbox dispatcher: claims due messages under a lease, asks the gate, sends through the
 * sender it is given within each number's throughput, and records what happened. Delivery is
 * at least once; see docs/decisions/004-outbox-delivery.md for where a duplicate can come from.
 * What it needs from other folders (flow re-checks, link parameters, the WhatsApp sender,
 * consent signals) arrives in DispatcherDeps; app/engine.server.ts wires them.
 */
export interface DispatcherOptions {
  clock?: Clock;
  owner?: string;
  batchSize?: number;
  /** Must comfortably exceed the time one batch takes; a dead worker's rows return after it. */
  leaseMs?: number;
  idleMs?: number;
  /** Rows of different subscribers sent in parallel within a batch */
  concurrency?: number;
  /** Attempts (including the first) before a transient error becomes a failure */
  maxAttempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  random?: () => number;
  /** Paces sends per phone number (default: shared by every dispatcher on this database) */
  pacer?: SendPacer;
}

export interface Dispatcher {
  owner: string;
  /** Claims and handles one batch; resolves to how many rows it claimed. */
  runOnce(): Promise<number>;
  start(): void;
  /** Finishes the rows in flight, hands back the ones not started, and stops polling. */
  stop(): Promise<void>;
}

/** What the rows of one claimed batch share while it is handled */
interface BatchContext extends BatchTally {
  /** Rows that are the first of their subscriber in the batch */
  firstOfSubscriber: Set<string>;
  /** Shops this batch paused (invalid token): their rows read the shop again */
  pausedShops: Set<string>;
  accounts: Map<string, Promise<SendingAccount | null>>;
}

export function createDispatcher(deps: DispatcherDeps, options: DispatcherOptions = {}): Dispatcher {
  const clock = options.clock ?? systemClock;
  const owner = options.owner ?? `dispatch-${process.pid}-${randomUUID().slice(0, 8)}`;
  const batchSize = options.batchSize ?? env().DISPATCHER_BATCH_SIZE;
  const leaseMs = options.leaseMs ?? env().DISPATCHER_LEASE_MS;
  // Most of a row's time is the Cloud API round trip, so at 1,000 msg/s per number a few dozen
  // rows must be in flight; the database work per row is one grouped write.
  const concurrency = Math.max(1, options.concurrency ?? 32);
  const failures = sendFailures({
    owner,
    clock,
    sender: deps.sender,
    marketing: deps.marketing,
    maxAttempts: options.maxAttempts ?? 8,
    retryBaseMs: options.retryBaseMs ?? 2_000,
    retryMaxMs: options.retryMaxMs ?? 30 * 60_000,
    random: options.random ?? Math.random,
  });
  const pacer = options.pacer ?? sendPacer();
  const tally = tierTally();
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const sentRecorder = createSentRecorder(owner);

  async function recordSent(row: ClaimedNotification, sent: { waMessageId: string; waId?: string | null }, language: string): Promise<Outcome> {
    return (await sentRecorder.record({ id: row.id, waMessageId: sent.waMessageId, waId: sent.waId ?? null, language, at: clock.now() })) ? "sent" : "lost_lease";
  }

  /**
   * The gate's snapshot of a row. The batch's snapshot is read once before any row is handled, so
   * it serves only rows nothing earlier in the batch can have changed: the first row of each
   * subscriber (their rows go one after another) of a shop whose sending nothing paused since.
   */
  async function snapshotOf(row: ClaimedNotification, now: Date, batch: BatchContext) {
    const fresh = batch.firstOfSubscriber.has(row.id) && !batch.pausedShops.has(row.shop) ? batch.snapshots.get(row) : undefined;
    return fresh ? { ...fresh, fromBatch: true } : { ...(await loadSnapshot(row, now, deps.recheck)), fromBatch: false };
  }

  async function handle(row: ClaimedNotification, batch: BatchContext): Promise<Outcome> {
    const now = clock.now();
    const { snapshot, useMarketingApi, phone, fromBatch } = await snapshotOf(row, now, batch);
    tally.countUnrecorded(row, snapshot, fromBatch, batch);
    const decision = decide(snapshot, now);
    if (decision.action === "defer") {
      return (await defer(row.id, owner, { until: decision.until, reason: decision.reason, at: now })) ? "deferred" : "lost_lease";
    }
    if (decision.action === "skip") {
      return (await skip(row.id, owner, decision.reason, now)) ? "skipped" : "lost_lease";
    }
    // Synchronously after the gate said send, so no other row of this process slips in between.
    const done = tally.reserve(row.shop, row.subscriberId ?? row.id);
    try {
      const outcome = await send(row, snapshot, useMarketingApi, phone, batch);
      if (outcome === "sent") tally.noteSent(row, batch);
      return outcome;
    } finally {
      done();
    }
  }

  const consent = createConsentRecheck();

  /**
   * The gate again with the subscriber's consent as it is now, after the pacing wait and right
   * before the Cloud API call: a STOP that landed since the snapshot was read stops the message.
   */
  async function stillAllowed(row: ClaimedNotification, snapshot: GateSnapshot): Promise<Outcome | null> {
    if (!row.subscriberId || !snapshot.subscriber) return null;
    const current = await consent.current(row.shop, row.subscriberId);
    const now = clock.now();
    const decision = decide({ ...snapshot, subscriber: current ? { ...snapshot.subscriber, ...current } : null }, now);
    if (decision.action === "send") return null;
    if (decision.action === "defer") {
      return (await defer(row.id, owner, { until: decision.until, reason: decision.reason, at: now })) ? "deferred" : "lost_lease";
    }
    return (await skip(row.id, owner, decision.reason, now)) ? "skipped" : "lost_lease";
  }

  async function send(
    row: ClaimedNotification,
    snapshot: GateSnapshot,
    useMarketingApi: boolean,
    phone: string | null,
    batch: BatchContext,
  ): Promise<Outcome> {
    const now = clock.now();
    if (!batch.accounts.has(row.shop)) batch.accounts.set(row.shop, deps.sender.account(row.shop));
    let account: SendingAccount | null;
    try {
      account = await batch.accounts.get(row.shop)!;
    } catch (error) {
      // A token that cannot be decrypted is an operator problem (ENCRYPTION_KEYS), not the shopper's.
      log.error("dispatch: WhatsApp credentials unreadable", { notification: row.id, shop: row.shop, error: errorFields(error) });
      return failures.deferWithinExpiry(row, new Date(now.getTime() + PAUSED_RETRY_MS), "whatsapp_credentials_unreadable");
    }
    if (!account || !phone) {
      return failures.deferWithinExpiry(row, new Date(now.getTime() + PAUSED_RETRY_MS), "whatsapp_not_connected");
    }
    await pacer.take(account.phoneNumberId, account.messagesPerSecond);
    const stopped = await stillAllowed(row, snapshot);
    if (stopped) return stopped;
    let sent: { waMessageId: string; waId?: string | null };
    try {
      sent = await account.send({
        to: phone,
        templateName: row.templateName,
        // The shopper's language when its version is approved and fits, else the configured one.
        language: snapshot.notification.templateLanguage,
        params: deps.sendableParams((row.params ?? {}) as StoredTemplateParams, row.id),
        viaMarketingApi: useMarketingApi,
        callbackData: row.id,
      });
    } catch (error) {
      return failures.handle(row, error, (shop) => batch.pausedShops.add(shop));
    }
    return recordSent(row, sent, snapshot.notification.templateLanguage);
  }

  async function runOnce(): Promise<number> {
    const rows = await claimDue(owner, batchSize, leaseMs, clock.now());
    if (rows.length === 0) return 0;
    // One subscriber's rows go one after another so caps and priority see each other's sends.
    const groups = new Map<string, ClaimedNotification[]>();
    for (const row of rows) {
      const key = `${row.shop}\u0000${row.subscriberId ?? row.id}`;
      const group = groups.get(key);
      if (group) group.push(row);
      else groups.set(key, [row]);
    }
    const queue = [...groups.values()];
    const unstarted: string[] = [];
    const batch: BatchContext = {
      ...batchTally(await loadBatchSnapshots(rows, clock.now(), deps.recheck)),
      firstOfSubscriber: new Set(queue.map((group) => group[0].id)),
      pausedShops: new Set(),
      accounts: new Map(),
    };
    const worker = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        for (const row of group) {
          if (stopping) {
            unstarted.push(row.id);
            continue;
          }
          try {
            await handle(row, batch);
          } catch (error) {
            // The row keeps its lease and comes back when it runs out; nothing is lost.
            log.error("dispatch: row failed, kept under its lease", { notification: row.id, error: errorFields(error) });
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    if (unstarted.length > 0) await release(unstarted, owner, clock.now());
    return rows.length;
  }

  return {
    owner,
    runOnce,
    start() {
      if (loop) return;
      loop = (async () => {
        while (!stopping) {
          let claimed = 0;
          try {
            claimed = await runOnce();
          } catch (error) {
            log.error("dispatcher poll failed", { error: errorFields(error) });
          }
          if (claimed === 0 && !stopping) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, options.idleMs ?? 500).unref();
            });
          }
        }
      })();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}
