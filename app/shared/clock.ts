/** Time, injected: the sandbox plays a week in a minute and tests pin instants. */
export interface Clock {
  now(): Date;
}

const wallClock: Clock = { now: () => new Date() };

// Kept on globalThis: the server bundle and the process that loads it each hold a copy of this
// module, and both must read the same clock.
const KEY = Symbol.for("rebound.clock");
type Holder = typeof globalThis & { [KEY]?: Clock };

/**
 * The process's clock. Everything that is not handed a clock explicitly reads this one; it is the
 * wall clock except in the sandbox, which swaps in an accelerated one before starting the app.
 */
export const systemClock: Clock = { now: () => ((globalThis as Holder)[KEY] ?? wallClock).now() };

export function useProcessClock(clock: Clock): void {
  (globalThis as Holder)[KEY] = clock;
}

/** A clock that runs `speed` times faster than real time from `start`. */
export function acceleratedClock(start: Date, speed: number): Clock {
  const realStart = Date.now();
  return { now: () => new Date(start.getTime() + (Date.now() - realStart) * speed) };
}

/** A clock tests move by hand. */
export function manualClock(start: Date) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    set(at: Date) {
      current = at.getTime();
    },
    advance(ms: number) {
      current += ms;
    },
  };
}
