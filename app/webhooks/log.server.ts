import { env } from "../env.server";

/**
 * One JSON line per webhook event worth an operator's eye (a delivery kept for replay, one
 * ignored on purpose), at or above LOG_LEVEL. Fields name shops, topics and event ids, never a
 * payload value: bodies hold shoppers' phones and emails.
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;

type Level = "info" | "warn" | "error";

export function logWebhook(level: Level, message: string, fields: Record<string, string | number | null | undefined> = {}) {
  if (LEVELS[level] < LEVELS[env().LOG_LEVEL]) return;
  process.stderr.write(`${JSON.stringify({ level, at: new Date().toISOString(), msg: message, ...fields })}\n`);
}
