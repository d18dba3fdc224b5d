import pino, { type Logger } from "pino";
import { env } from "../env.server";
import { currentLogContext } from "./log-context.server";

/**
 * The one structured logger (pino): a JSON line per entry on stderr, so that commands keep stdout
 * for what they print (`DEMO {json}`, `KEYS {json}`). Levels come from LOG_LEVEL; lines written
 * while a request is served carry its `requestId` (log-context.server.ts).
 *
 * Errors are logged by what they are, never by their message. PostgreSQL quotes the values it
 * chokes on (`Key (shop, phone)=(…, +34…) already exists`, `invalid input syntax for type
 * integer: "…"`), Prisma repeats the driver's message, and an HTTP client's error may carry a URL
 * with a token: so errorFields() keeps the class name, the SQLSTATE or Prisma code, and the names
 * of the constraint, table and column involved, which is what an operator needs to find the
 * cause, and drops message and detail. Fields named like personal data or secrets are redacted
 * at any depth of what is logged.
 */
export type LogFields = Record<string, unknown>;

const REDACTED = /phone|email|token|secret|password|authorization/i;
const MAX_DEPTH = 8;

/**
 * What may be written of a logged value: an Error becomes its errorFields, a field whose name says
 * phone, email, token, secret, password or authorization becomes "[redacted]", whatever it holds
 * and however deep it sits (a header bag, a session, an array of recipients).
 */
function redact(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Error) return errorFields(value);
  if (value instanceof Date) return value;
  if (depth >= MAX_DEPTH) return "[too deep]";
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === "function") return redact(json.call(value), depth, seen);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  const safe: LogFields = {};
  for (const [key, field] of Object.entries(value)) {
    safe[key] = REDACTED.test(key) ? "[redacted]" : redact(field, depth + 1, seen);
  }
  return safe;
}

/** Where lines go; tests swap it to read what would have been logged. */
let sink: (line: string) => void = (line) => void process.stderr.write(`${line}\n`);

export function setLogSink(next: (line: string) => void): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}

function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: undefined,
      messageKey: "message",
      timestamp: () => `,"at":"${new Date().toISOString()}"`,
      mixin: () => ({ ...currentLogContext() }),
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => redact(fields, 0, new WeakSet()) as LogFields,
      },
    },
    { write: (line: string) => sink(line.endsWith("\n") ? line.slice(0, -1) : line) },
  );
}

let logger: Logger | undefined;
let fallback: Logger | undefined;

function current(): Logger {
  if (logger) return logger;
  try {
    logger = createLogger(env().LOG_LEVEL);
    return logger;
  } catch {
    // A command that runs without the app's settings (migrations, key rotation) logs at info.
    return (fallback ??= createLogger("info"));
  }
}

export const log = {
  debug: (message: string, fields?: LogFields) => current().debug(fields ?? {}, message),
  info: (message: string, fields?: LogFields) => current().info(fields ?? {}, message),
  warn: (message: string, fields?: LogFields) => current().warn(fields ?? {}, message),
  error: (message: string, fields?: LogFields) => current().error(fields ?? {}, message),
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$."]{0,120}$/;
const identifier = (value: unknown) => (typeof value === "string" && IDENTIFIER.test(value) ? value : undefined);

/**
 * What can be logged of an error: its class, its code (SQLSTATE such as 23505, a Prisma code
 * such as P2002, a Node code such as ECONNRESET) and the schema names it points at. Never the
 * message, the detail or a value. Follows `cause` one level (Prisma's driver adapter errors).
 */
export interface ErrorFields {
  name: string;
  /** An error's own account of itself, when it is one of ours that vouches for it (SafeDetail) */
  detail?: string;
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  fields?: string[];
  cause?: ErrorFields;
}

export function errorFields(error: unknown, depth = 0): ErrorFields {
  if (typeof error !== "object" || error === null) return { name: typeof error };
  const e = error as Record<string, unknown>;
  const meta = (e.meta ?? {}) as Record<string, unknown>;
  const adapter = (meta.driverAdapterError ?? {}) as Record<string, unknown>;
  const adapterCause = (adapter.cause ?? {}) as Record<string, unknown>;
  const code = [e.code, adapterCause.originalCode, meta.code].find((c) => typeof c === "string" || typeof c === "number");
  const target = Array.isArray(meta.target) ? meta.target : (adapterCause.constraint as { fields?: unknown } | undefined)?.fields;
  const out: ErrorFields = { name: error instanceof Error ? error.name : "object" };
  if (typeof e.safeDetail === "string") out.detail = e.safeDetail.slice(0, 300);
  if (code !== undefined) out.code = String(code).slice(0, 40);
  const table = identifier(e.table) ?? identifier(meta.modelName);
  if (identifier(e.constraint)) out.constraint = identifier(e.constraint);
  if (table) out.table = table;
  if (identifier(e.column)) out.column = identifier(e.column);
  if (Array.isArray(target)) out.fields = target.map(identifier).filter((f): f is string => Boolean(f));
  if (depth < 2 && e.cause && e.cause !== error) out.cause = errorFields(e.cause, depth + 1);
  return out;
}

/**
 * Implemented by this app's own boundary errors whose text is built only from codes, field
 * paths and statuses (a Shopify userError code, an HTTP status), never from a value a driver,
 * a shopper or a payload supplied: that text is what an operator most needs, so it is kept.
 */
export interface SafeDetail {
  readonly safeDetail: string;
}

/** errorFields as one short string, for places that keep a reason on a row (Task.lastError). */
export function errorSummary(error: unknown): string {
  const f = errorFields(error);
  if (f.detail) return f.detail.slice(0, 300);
  return [f.name, f.code, f.constraint ?? f.table, f.fields?.join(",")].filter(Boolean).join(" ").slice(0, 200);
}
