import type { Clock } from "../shared/clock";
import { errorFields, log } from "../shared/log.server";
import { defer, markFailed, skip } from "./claim.server";
import { PAUSED_RETRY_MS } from "./gate";
import type { ApiRefusal, MarketingSignals, MessageSender, SendFailure } from "./ports";
import type { ClaimedNotification } from "./types";

/** What became of a claimed row. */
export type Outcome = "sent" | "deferred" | "skipped" | "failed" | "retry" | "released" | "lost_lease";

export interface FailurePolicy {
  owner: string;
  clock: Clock;
  sender: MessageSender;
  marketing: MarketingSignals;
  /** Attempts (including the first) before a transient error becomes a failure */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  random: () => number;
}

export interface SendFailures {
  /** Puts the row off until `until`, or ends it when that is past its expiry. */
  deferWithinExpiry(row: ClaimedNotification, until: Date, reason: string, refusal?: ApiRefusal): Promise<Outcome>;
  /** What a refused or failed send does to the row, the shop and the shopper. */
  handle(row: ClaimedNotification, error: unknown, onShopPaused: (shop: string) => void): Promise<Outcome>;
}

export function sendFailures(policy: FailurePolicy): SendFailures {
  const { owner, clock, sender, marketing } = policy;

  /** Exponential backoff with jitter so retries from many rows do not land together. */
  function backoff(attempt: number): number {
    const ceiling = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
  }

  const fail = (row: ClaimedNotification, refusal: ApiRefusal, at: Date) =>
    markFailed(row.id, owner, { reason: refusal.merchantReason, errorCode: refusal.code, errorTitle: refusal.title, errorDetails: refusal.details, at });

  async function deferWithinExpiry(row: ClaimedNotification, until: Date, reason: string, refusal?: ApiRefusal): Promise<Outcome> {
    const now = clock.now();
    if (row.expiresAt && until.getTime() >= row.expiresAt.getTime()) {
      if (refusal) {
        await fail(row, refusal, now);
        return "failed";
      }
      await skip(row.id, owner, `${reason}_until_expiry`, now);
      return "skipped";
    }
    const retry = refusal ? { errorCode: refusal.code, errorTitle: refusal.title } : undefined;
    return (await defer(row.id, owner, { until, reason, at: now, retry })) ? "deferred" : "lost_lease";
  }

  async function retryOrFail(row: ClaimedNotification, failure: SendFailure, error: unknown): Promise<Outcome> {
    const now = clock.now();
    const { refusal, message } = failure;
    const attempt = row.attempts + 1;
    const code = refusal?.code ?? null;
    if (!failure.transient) log.error("dispatch: unexpected send error", { notification: row.id, error: errorFields(error) });
    if (attempt >= policy.maxAttempts) {
      await markFailed(row.id, owner, {
        reason: `WhatsApp did not accept the message after ${attempt} attempts (${message}).`,
        errorCode: code,
        errorTitle: refusal?.title ?? message,
        errorDetails: refusal?.details ?? null,
        at: now,
      });
      return "failed";
    }
    const until = new Date(now.getTime() + backoff(attempt));
    const ok = await defer(row.id, owner, { until, reason: code ? `retry_after_${code}` : "retry_after_network_error", at: now, retry: { errorCode: code, errorTitle: message } });
    return ok ? "retry" : "lost_lease";
  }

  async function handle(row: ClaimedNotification, error: unknown, onShopPaused: (shop: string) => void): Promise<Outcome> {
    const now = clock.now();
    const failure = sender.classify(error);
    const { refusal } = failure;
    if (refusal?.signal === "token_invalid") {
      onShopPaused(row.shop);
      await sender.pauseShop(row.shop, now);
      return deferWithinExpiry(row, new Date(now.getTime() + PAUSED_RETRY_MS), "whatsapp_token_invalid", refusal);
    }
    if (refusal?.signal === "spam_limit") {
      // Every row of the number would meet the same wall: the gate holds them all until then.
      onShopPaused(row.shop);
      const until = await sender.holdNumber(row.shop, now);
      return deferWithinExpiry(row, until, "meta_spam_rate_limit", refusal);
    }
    if (refusal?.signal === "marketing_limit" && row.subscriberId) {
      const until = await marketing.limited(row.shop, row.subscriberId, now);
      return deferWithinExpiry(row, until, "meta_marketing_limit", refusal);
    }
    if (refusal?.signal === "marketing_stopped" && row.subscriberId) {
      await marketing.stopped(row.shop, row.subscriberId, now);
      await fail(row, refusal, now);
      return "failed";
    }
    // Transient, or not Meta's answer at all (then unexpected, and logged): try again later.
    if (failure.transient || !refusal) return retryOrFail(row, failure, error);
    await fail(row, refusal, now);
    return "failed";
  }

  return { deferWithinExpiry, handle };
}
