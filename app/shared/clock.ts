/** Time, injected: the sandbox plays a week in a minute and tests pin instants. */
export interface Clock {
  now(): Date;
}

const wallClock: Clock = { now: () => new Date() };

let processClock: Clock = wallClock;

/**
 * The process's clock. Everything that is not handed a clock explicitly reads this one; it is the
 * wall clock except in the sandbox, which swaps in an accelerated one before starting the app.
 */
export const systemClock: Clock = { now: () => processClock.now() };

export function useProcessClock(clock: Clock): void {
  processClock = clock;
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
