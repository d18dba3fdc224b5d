import type { Task } from "@prisma/client";
import type { Clock } from "../shared/clock";
import type { TaskHandlers } from "../tasks/registry.server";
import { loadCredentials, pauseForInvalidToken, whatsAppClientFromEnv } from "./connection.server";
import { TOKEN_INVALID, WhatsAppApiError } from "./errors";
import { syncTemplates } from "./templates.server";

/**
 * "whatsapp.sync_templates" { }: copies the shop's WhatsApp templates into MessageTemplate.
 * Enqueue it when a connection is saved and from the admin's "refresh templates"; webhooks keep
 * the copy current between syncs. A rejected token pauses sending like a failed send would.
 */
export const SYNC_TEMPLATES = "whatsapp.sync_templates";

async function runTemplateSync(task: Task, clock: Clock) {
  const credentials = await loadCredentials(task.shop);
  if (!credentials) return; // disconnected since it was enqueued: nothing to sync
  try {
    await syncTemplates(task.shop, whatsAppClientFromEnv(), credentials, clock.now());
  } catch (error) {
    if (error instanceof WhatsAppApiError && error.code === TOKEN_INVALID) {
      await pauseForInvalidToken(task.shop, clock.now());
      return;
    }
    throw error;
  }
}

/** Template sync, for the task registry (app/background.server.ts). */
export const templateTaskHandlers: TaskHandlers = { [SYNC_TEMPLATES]: runTemplateSync };
