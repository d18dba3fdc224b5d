/**
 * Whether a failed apply is worth Shopify's retry. Shopify retries a delivery answered with an
 * error 8 times over 4 hours (https://shopify.dev/docs/apps/build/webhooks/troubleshooting-webhooks),
 * which outlasts a database restart or a deadlock, and then drops it. A failure that the same
 * payload will hit again (a value the database refuses, a bug in the handler) is not helped by
 * retries: the delivery is kept for replay instead (./failed-deliveries.server.ts).
 *
 * Transient: the database could not be reached or gave up on the transaction. SQLSTATE classes
 * 08 (connection), 40 (serialization failure, deadlock), 53 (insufficient resources), 57P
 * (shutdown), 58 (system error), and 55P03 / 57014 (lock or statement timeout); Prisma's
 * P1001/P1002/P1008/P1017 (unreachable, timed out, closed), P2024 (pool timeout), P2028
 * (transaction API) and P2034 (write conflict); socket errors.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const TRANSIENT_SQLSTATE = /^(08|40|53|57P|58)|^55P03$|^57014$/;
const TRANSIENT_PRISMA = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2034"]);
const TRANSIENT_SOCKET = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);
const TRANSIENT_MESSAGE = /connection terminated|connection (is )?closed|terminating connection|pglite is closed|timeout exceeded when trying to connect/i;

/** Every code an error carries: its own, its cause's, and those a driver adapter nests in meta. */
function codesOf(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== "object" || depth > 4) return [];
  const e = error as { code?: unknown; meta?: { code?: unknown; driverAdapterError?: unknown }; cause?: unknown; originalCode?: unknown };
  const own = [e.code, e.originalCode, e.meta?.code].filter((c): c is string => typeof c === "string");
  return [...own, ...codesOf(e.meta?.driverAdapterError, depth + 1), ...codesOf(e.cause, depth + 1)];
}

export function isTransientFailure(error: unknown): boolean {
  const codes = codesOf(error);
  if (codes.some((code) => TRANSIENT_PRISMA.has(code) || TRANSIENT_SOCKET.has(code) || (code.length === 5 && TRANSIENT_SQLSTATE.test(code)))) return true;
  const name = error instanceof Error ? error.name : "";
  if (name === "PrismaClientInitializationError" || name === "PrismaClientRustPanicError") return true;
  return error instanceof Error && TRANSIENT_MESSAGE.test(error.message);
}

/** What is kept as the reason: the error's kind and code, never its message (it can quote values). */
export function describeFailure(error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  const [code] = codesOf(error);
  return code ? `${name} (${code})` : name;
}
