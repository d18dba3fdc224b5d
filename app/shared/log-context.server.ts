import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Fields every log line written inside a unit of work carries: the request id of an HTTP
 * request, or whatever a background job names itself by. Kept in AsyncLocalStorage so that code
 * deep in a call (a domain module, the database layer) logs with the id without being handed it.
 */
export type LogContext = Readonly<Record<string, string>>;

const storage = new AsyncLocalStorage<LogContext>();

/** Runs fn with these fields added to every log line it writes (nested contexts add up). */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  const outer = storage.getStore();
  return storage.run(outer ? { ...outer, ...fields } : fields, fn);
}

/** The fields of the unit of work running now, if any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
