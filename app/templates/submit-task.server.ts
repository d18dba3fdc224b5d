import type { Task } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";
import type { Clock } from "../shared/clock";
import { whatsappLanguage } from "../outbox/template-language";
import type { TaskHandlers } from "../tasks/registry.server";
import { enqueueTask, hasOpenTask } from "../tasks/queue.server";
import { loadCredentials, pauseForInvalidToken } from "../whatsapp/connection.server";
import { TOKEN_INVALID, WhatsAppApiError } from "../whatsapp/errors";
import { isLibraryLanguage, LIBRARY_LANGUAGES, type LibraryLanguage } from "./library";
import { missingTemplates, submitTemplate } from "./submit.server";

/**
 * "templates.submit_library" { languages }: submits every library template of those languages
 * the shop has not had accepted by Meta yet, one call each. What is done is written per template,
 * so a retried task (Meta unreachable, throttled) goes on where it stopped; progress is read from
 * the rows. A rejected token pauses sending like a failed send would.
 */
export const SUBMIT_LIBRARY = "templates.submit_library";

const payloadSchema = z.object({ languages: z.array(z.string()).min(1) });

/**
 * The languages "Submit all" covers: the store's primary language, when the library has it, and
 * English, the language every flow sends in until the merchant picks another.
 */
export async function defaultLanguages(shop: string): Promise<LibraryLanguage[]> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { primaryLocale: true } });
  const primary = whatsappLanguage(row?.primaryLocale ?? "en");
  return [...new Set<LibraryLanguage>(isLibraryLanguage(primary) ? [primary, "en"] : ["en"])];
}

/** Queues the submission; the same languages asked twice in a minute are one task. */
export async function requestLibrarySubmission(shop: string, languages: readonly string[], now: Date): Promise<LibraryLanguage[]> {
  const chosen = LIBRARY_LANGUAGES.filter((l) => languages.includes(l));
  if (chosen.length === 0) return [];
  const minute = now.toISOString().slice(0, 16);
  await enqueueTask({ shop, kind: SUBMIT_LIBRARY, payload: { languages: chosen }, dedupKey: `submit_library:${chosen.join(",")}:${minute}`, runAt: now });
  return chosen;
}

/** Whether a "Submit all" is queued or running for the shop. */
export function submissionRunning(shop: string): Promise<boolean> {
  return hasOpenTask(shop, SUBMIT_LIBRARY);
}

async function runLibrarySubmission(task: Task, clock: Clock) {
  const parsed = payloadSchema.safeParse(task.payload);
  if (!parsed.success) throw new Error(`${SUBMIT_LIBRARY}: payload languages invalid`);
  const credentials = await loadCredentials(task.shop);
  if (!credentials) return; // disconnected since it was enqueued
  const languages = LIBRARY_LANGUAGES.filter((l) => parsed.data.languages.includes(l));
  try {
    for (const template of await missingTemplates(task.shop, languages)) {
      await submitTemplate(task.shop, credentials, template, clock.now());
    }
  } catch (error) {
    if (error instanceof WhatsAppApiError && error.code === TOKEN_INVALID) {
      await pauseForInvalidToken(task.shop, clock.now());
      return;
    }
    throw error;
  }
}

export const libraryTaskHandlers: TaskHandlers = { [SUBMIT_LIBRARY]: runLibrarySubmission };
