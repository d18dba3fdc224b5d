import { randomUUID } from "node:crypto";
import { env } from "../env.server";
import { systemClock, type Clock } from "../shared/clock";
import type { WhatsAppClient } from "../whatsapp/client.server";
import { loadCredentials, pauseForInvalidToken, whatsAppClientFromEnv } from "../whatsapp/connection.server";
import { MARKETING_LIMIT, MARKETING_STOPPED, TOKEN_INVALID, WhatsAppApiError, WhatsAppUnreachable } from "../whatsapp/errors";
import { sendableParams } from "../flows/link-token.server";
import type { ClaimedNotification, StoredTemplateParams } from "./types";
import { claimDue, defer, markFailed, release, skip } from "./claim.server";
import { decide, PAUSED_RETRY_MS, type GateSnapshot } from "./gate";
import { recordMarketingLimited, recordMarketingStopped } from "./marketing-signals.server";
import { sendPacer, type SendPacer } from "./send-budget.server";
import { createSentRecorder } from "./sent-recorder.server";
import { loadBatchSnapshots, type BatchSnapshots } from "./batch-snapshot.server";
import { loadSnapshot } from "./snapshot.server";
import { createConsentRecheck } from "./consent-recheck.server";
import { errorFields, log } from "../shared/log.server";

/**
 * The outbox dispatcher: claims due messages under a lease, asks the gate, sends through the
 * WhatsApp client within each number's throughput, and records what happened. Delivery is
 * at least once; see docs/decisions/004-outbox-delivery.md for where a duplicate can come from.
 */
export interface DispatcherOptions {
  clock?: Clock;
  client?: WhatsAppClient;
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
interface BatchContext {
  snapshots: BatchSnapshots;
  /** Rows that are the first of their subscriber in the batch */
  firstOfSubscriber: Set<string>;
  /** Shops this batch paused (invalid token): their rows read the shop again */
  pausedShops: Set<string>;
  /** Recipients this batch has sent to, per shop (for the messaging-limit tier) */
  sentTo: Map<string, SentTo>;
  credentialsCache: Map<string, ReturnType<typeof loadCredentials>>;
}

/** A shop's recipients this batch has sent to, and how many of them its tier read did not count */
interface SentTo {
  ids: Set<string>;
  uncounted: number;
}

type Outcome = "sent" | "deferred" | "skipped" | "failed" | "retry" | "released" | "lost_lease";

export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const clock = options.clock ?? systemClock;
  const owner = options.owner ?? `dispatch-${process.pid}-${randomUUID().slice(0, 8)}`;
  const batchSize = options.batchSize ?? env().DISPATCHER_BATCH_SIZE;
  const leaseMs = options.leaseMs ?? env().DISPATCHER_LEASE_MS;
  // Most of a row's time is the Cloud API round trip, so at 1,000 msg/s per number a few dozen
  // rows must be in flight; the database work per row is one grouped write.
  const concurrency = Math.max(1, options.concurrency ?? 32);
  const maxAttempts = options.maxAttempts ?? 8;
  const retryBaseMs = options.retryBaseMs ?? 2_000;
  const retryMaxMs = options.retryMaxMs ?? 30 * 60_000;
  const random = options.random ?? Math.random;
  let client = options.client;
  const pacer = options.pacer ?? sendPacer();
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const whatsapp = () => (client ??= whatsAppClientFromEnv());

  /** Exponential backoff with jitter so retries from many rows do not land together. */
  function backoff(attempt: number): number {
    const ceiling = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  async function deferWithinExpiry(row: ClaimedNotification, until: Date, reason: string, error?: WhatsAppApiError): Promise<Outcome> {
    const now = clock.now();
    if (row.expiresAt && until.getTime() >= row.expiresAt.getTime()) {
      if (error) {
        await markFailed(row.id, owner, { reason: error.merchantReason, errorCode: error.code, errorTitle: error.title, errorDetails: error.details, at: now });
        return "failed";
      }
      await skip(row.id, owner, `${reason}_until_expiry`, now);
      return "skipped";
    }
    const retry = error ? { errorCode: error.code, errorTitle: error.title } : undefined;
    return (await defer(row.id, owner, { until, reason, at: now, retry })) ? "deferred" : "lost_lease";
  }

  async function handleSendError(row: ClaimedNotification, error: unknown, batch: BatchContext): Promise<Outcome> {
    const now = clock.now();
    if (error instanceof WhatsAppApiError && error.code === TOKEN_INVALID) {
      batch.pausedShops.add(row.shop);
      await pauseForInvalidToken(row.shop, now);
      return deferWithinExpiry(row, new Date(now.getTime() + PAUSED_RETRY_MS), "whatsapp_token_invalid", error);
    }
    if (error instanceof WhatsAppApiError && error.code === MARKETING_LIMIT && row.subscriberId) {
      const until = await recordMarketingLimited(row.shop, row.subscriberId, now);
      return deferWithinExpiry(row, until, "meta_marketing_limit", error);
    }
    if (error instanceof WhatsAppApiError && error.code === MARKETING_STOPPED && row.subscriberId) {
      await recordMarketingStopped(row.shop, row.subscriberId, now, null);
      await markFailed(row.id, owner, { reason: error.merchantReason, errorCode: error.code, errorTitle: error.title, errorDetails: error.details, at: now });
      return "failed";
    }
    const transient = error instanceof WhatsAppUnreachable || (error instanceof WhatsAppApiError && error.retryable);
    if (transient || !(error instanceof WhatsAppApiError)) {
      const attempt = row.attempts + 1;
      const code = error instanceof WhatsAppApiError ? error.code : null;
      const title = error instanceof Error ? error.message.slice(0, 200) : "unknown error";
      if (!transient) log.error("dispatch: unexpected send error", { notification: row.id, error: errorFields(error) });
      if (attempt >= maxAttempts) {
        await markFailed(row.id, owner, {
          reason: `WhatsApp did not accept the message after ${attempt} attempts (${title}).`,
          errorCode: code,
          errorTitle: error instanceof WhatsAppApiError ? error.title : title,
          errorDetails: error instanceof WhatsAppApiError ? error.details : null,
          at: now,
        });
        return "failed";
      }
      const until = new Date(now.getTime() + backoff(attempt));
      const ok = await defer(row.id, owner, { until, reason: code ? `retry_after_${code}` : "retry_after_network_error", at: now, retry: { errorCode: code, errorTitle: title } });
      return ok ? "retry" : "lost_lease";
    }
    await markFailed(row.id, owner, { reason: error.merchantReason, errorCode: error.code, errorTitle: error.title, errorDetails: error.details, at: now });
    return "failed";
  }

  const sentRecorder = createSentRecorder(owner);

  async function recordSent(row: ClaimedNotification, waMessageId: string): Promise<Outcome> {
    return (await sentRecorder.record({ id: row.id, waMessageId, at: clock.now() })) ? "sent" : "lost_lease";
  }

  /**
   * Recipients this process is sending to right now, per shop. The database only counts sends
   * already recorded, so parallel rows would each see room in the messaging-limit tier; counting
   * the ones in flight keeps this process from overshooting it.
   */
  const inFlight = new Map<string, Map<string, number>>();
  const reserve = (shop: string, subscriberId: string) => {
    const recipients = inFlight.get(shop) ?? new Map<string, number>();
    recipients.set(subscriberId, (recipients.get(subscriberId) ?? 0) + 1);
    inFlight.set(shop, recipients);
    return () => {
      const left = (recipients.get(subscriberId) ?? 1) - 1;
      if (left > 0) recipients.set(subscriberId, left);
      else recipients.delete(subscriberId);
    };
  };

  /**
   * The gate's snapshot of a row. The batch's snapshot is read once before any row is handled, so
   * it serves only rows nothing earlier in the batch can have changed: the first row of each
   * subscriber (their rows go one after another) of a shop whose sending nothing paused since.
   */
  async function snapshotOf(row: ClaimedNotification, now: Date, batch: BatchContext) {
    const fresh = batch.firstOfSubscriber.has(row.id) && !batch.pausedShops.has(row.shop) ? batch.snapshots.get(row) : undefined;
    return fresh ? { ...fresh, fromBatch: true } : { ...(await loadSnapshot(row, now)), fromBatch: false };
  }

  /**
   * Adds the recipients the database did not count yet to the snapshot's tier usage. Runs with no
   * await between it, the gate and reserve(), so parallel rows see each other.
   */
  function countUnrecorded(row: ClaimedNotification, snapshot: GateSnapshot, fromBatch: boolean, batch: BatchContext) {
    if (snapshot.tier.subscriberIncluded) return;
    // The gate reads the tier usage only when the shop has a tier to stay under.
    if (snapshot.settings.messagingLimitTier <= 0) return;
    const self = row.subscriberId ?? "";
    const pending = inFlight.get(row.shop);
    if (!fromBatch) {
      if (!pending) return;
      const others = pending.size - (row.subscriberId !== null && pending.has(row.subscriberId) ? 1 : 0);
      snapshot.tier = { ...snapshot.tier, recipients: snapshot.tier.recipients + others, subscriberIncluded: pending.has(self) };
      return;
    }
    // The batch's read also misses what this batch has sent since: the recipients sent to or in
    // flight, other than this one, that the read did not count. Runs once per row, so it counts
    // from the batch's running tally and the few rows in flight rather than copying either.
    const counted = batch.snapshots.tierIncluded(row.shop);
    const sent = batch.sentTo.get(row.shop);
    let included = sent?.ids.has(self) ?? false;
    let others = (sent?.uncounted ?? 0) - (included && !counted.has(self) ? 1 : 0);
    for (const id of pending?.keys() ?? []) {
      if (id === self) included = true;
      else if (!counted.has(id) && !sent?.ids.has(id)) others++;
    }
    snapshot.tier = { ...snapshot.tier, recipients: snapshot.tier.recipients + others, subscriberIncluded: included };
  }

  async function handle(row: ClaimedNotification, batch: BatchContext): Promise<Outcome> {
    const now = clock.now();
    const { snapshot, useMarketingApi, phone, fromBatch } = await snapshotOf(row, now, batch);
    countUnrecorded(row, snapshot, fromBatch, batch);
    const decision = decide(snapshot, now);
    if (decision.action === "defer") {
      return (await defer(row.id, owner, { until: decision.until, reason: decision.reason, at: now })) ? "deferred" : "lost_lease";
    }
    if (decision.action === "skip") {
      return (await skip(row.id, owner, decision.reason, now)) ? "skipped" : "lost_lease";
    }
    // Synchronously after the gate said send, so no other row of this process slips in between.
    const done = reserve(row.shop, row.subscriberId ?? row.id);
    try {
      const outcome = await send(row, snapshot, useMarketingApi, phone, batch);
      if (outcome === "sent") {
        let sentTo = batch.sentTo.get(row.shop);
        if (!sentTo) batch.sentTo.set(row.shop, (sentTo = { ids: new Set(), uncounted: 0 }));
        const recipient = row.subscriberId ?? row.id;
        if (!sentTo.ids.has(recipient)) {
          sentTo.ids.add(recipient);
          if (!batch.snapshots.tierIncluded(row.shop).has(recipient)) sentTo.uncounted++;
        }
      }
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
    const { credentialsCache } = batch;
    if (!credentialsCache.has(row.shop)) credentialsCache.set(row.shop, loadCredentials(row.shop));
    let credentials: Awaited<ReturnType<typeof loadCredentials>>;
    try {
      credentials = await credentialsCache.get(row.shop)!;
    } catch (error) {
      // A token that cannot be decrypted is an operator problem (ENCRYPTION_KEYS), not the shopper's.
      log.error("dispatch: WhatsApp credentials unreadable", { notification: row.id, shop: row.shop, error: errorFields(error) });
      return deferWithinExpiry(row, new Date(now.getTime() + PAUSED_RETRY_MS), "whatsapp_credentials_unreadable");
    }
    if (!credentials || !phone) {
      return deferWithinExpiry(row, new Date(now.getTime() + PAUSED_RETRY_MS), "whatsapp_not_connected");
    }
    await pacer.take(credentials.phoneNumberId, credentials.messagesPerSecond);
    const stopped = await stillAllowed(row, snapshot);
    if (stopped) return stopped;
    let waMessageId: string;
    try {
      const sent = await whatsapp().sendTemplate(credentials, {
        to: phone,
        templateName: row.templateName,
        language: row.templateLanguage,
        params: sendableParams((row.params ?? {}) as StoredTemplateParams, row.id),
        viaMarketingApi: useMarketingApi,
        callbackData: row.id,
      });
      waMessageId = sent.waMessageId;
    } catch (error) {
      return handleSendError(row, error, batch);
    }
    return recordSent(row, waMessageId);
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
      snapshots: await loadBatchSnapshots(rows, clock.now()),
      firstOfSubscriber: new Set(queue.map((group) => group[0].id)),
      pausedShops: new Set(),
      sentTo: new Map(),
      credentialsCache: new Map(),
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

export function startDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const dispatcher = createDispatcher(options);
  dispatcher.start();
  return dispatcher;
}
