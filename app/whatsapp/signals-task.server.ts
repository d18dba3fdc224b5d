import type { Task } from "@prisma/client";
import prisma from "../db.server";
import type { Clock } from "../shared/clock";
import type { TaskHandlers } from "../tasks/registry.server";
import { applyMarketingMessagesOnboarded, applyMessagingLimit } from "./account-signals.server";
import { loadCredentials, pauseForInvalidToken, whatsAppClientFromEnv } from "./connection.server";
import { TOKEN_INVALID, WhatsAppApiError } from "./errors";

/**
 * "whatsapp.read_signals" { }: reads the number's messaging limit and quality rating, and whether
 * Meta routes the account's MARKETING templates through the Marketing Messages API, from the
 * Graph API (app/whatsapp/number-signals.ts). Enqueued with every template sync (a connection
 * saved, "Sync templates"); webhooks keep the values current in between.
 */
export const READ_SIGNALS = "whatsapp.read_signals";

async function runSignalsRead(task: Task, clock: Clock) {
  const credentials = await loadCredentials(task.shop);
  if (!credentials) return; // disconnected since it was enqueued
  let signals;
  try {
    signals = await whatsAppClientFromEnv().readNumberSignals(credentials);
  } catch (error) {
    if (error instanceof WhatsAppApiError && error.code === TOKEN_INVALID) {
      await pauseForInvalidToken(task.shop, clock.now());
      return;
    }
    throw error;
  }
  const at = clock.now();
  await prisma.$transaction(async (tx) => {
    if (signals.messagingLimit !== null) await applyMessagingLimit(tx, task.shop, signals.messagingLimit, at);
    if (signals.qualityRating) await tx.whatsAppConnection.updateMany({ where: { shop: task.shop }, data: { qualityRating: signals.qualityRating } });
    if (signals.marketingMessagesOnboarded) await applyMarketingMessagesOnboarded(tx, task.shop);
  });
}

/** The signals read, for the task registry (app/background.server.ts). */
export const signalsTaskHandlers: TaskHandlers = { [READ_SIGNALS]: runSignalsRead };
