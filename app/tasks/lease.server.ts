import type { Clock } from "../shared/clock";
import { log } from "../shared/log.server";
import { renewTaskLeases } from "./queue.server";

/**
 * Keeps the leases of one claimed batch of tasks alive while it runs. A lease only has to
 * outlive the gap between two renewals, not the task: a fan-out to 100,000 shoppers may run for
 * minutes, and without renewal a second runner would take it over when the lease ran out and run
 * it again. Renewal stops when the batch ends; a crashed runner stops renewing, so its tasks
 * still come back one lease later. See docs/decisions/021-operations-hardening.md.
 *
 * A task whose renewal finds it owned by someone else (or that could not be renewed before its
 * lease ran out) counts as lost: its handler's signal is aborted, and the runner neither starts
 * it nor records its end.
 */
export interface LeaseKeeper {
  /** Aborted when the task's lease is lost */
  signal(id: string): AbortSignal;
  /** True while this runner may still act on the task */
  held(id: string): boolean;
  /** The task ended (done or failed): stop renewing it. */
  release(id: string): void;
  stop(): void;
}

export function keepLeases(ids: string[], owner: string, leaseMs: number, clock: Clock): LeaseKeeper {
  const controllers = new Map(ids.map((id) => [id, new AbortController()]));
  /** Until when, by our own last successful claim or renewal, each lease is ours */
  let heldUntil = clock.now().getTime() + leaseMs;
  let renewing = false;

  const lose = (id: string, why: string) => {
    const controller = controllers.get(id);
    if (!controller) return;
    controllers.delete(id);
    log.warn("task lease lost", { task: id, why });
    controller.abort(new Error(`task lease lost (${why})`));
  };

  async function renew() {
    if (renewing || controllers.size === 0) return;
    renewing = true;
    const pending = [...controllers.keys()];
    const until = clock.now().getTime() + leaseMs;
    try {
      const renewed = await renewTaskLeases(pending, owner, new Date(until));
      heldUntil = until;
      for (const id of pending) if (!renewed.has(id) && controllers.has(id)) lose(id, "taken_over");
    } catch (error) {
      log.warn("task lease renewal failed", { code: (error as { code?: string })?.code ?? "unknown" });
      if (clock.now().getTime() >= heldUntil) for (const id of pending) lose(id, "expired");
    } finally {
      renewing = false;
    }
  }

  // A third of the lease: two renewals can fail in a row before another runner may take over.
  const timer = setInterval(() => void renew(), Math.max(10, Math.floor(leaseMs / 3)));
  timer.unref();

  return {
    signal: (id) => controllers.get(id)?.signal ?? AbortSignal.abort(),
    held: (id) => controllers.has(id) && clock.now().getTime() < heldUntil,
    release: (id) => void controllers.delete(id),
    stop: () => {
      clearInterval(timer);
      controllers.clear();
    },
  };
}
