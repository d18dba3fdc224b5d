import type { Task } from "@prisma/client";
import prisma from "../db.server";
import { enqueueOrRestartTask, findTask } from "../tasks/queue.server";
import type { TaskHandlers } from "../tasks/registry.server";
import { describeAdminFailure, fetchShopDetails, type ShopAdmin } from "./shop-details.server";
import { completePendingInstall, FINISH_INSTALL, notePendingInstallReason } from "./shop.server";

/**
 * Finishing an install whose Admin API call failed in afterAuth (shop.server.ts recordInstall):
 * the task reads the shop's details with the shop's offline session and clears the pending mark.
 * A failure keeps the latest reason for the admin and is retried with the queue's backoff
 * (doubling, capped at an hour); 30 attempts span about a day, and opening the admin starts
 * another round after that.
 */
const MAX_ATTEMPTS = 30;

/** The shop's Admin API with its offline session (given by the composition root, which owns the library). */
export type OpenShopAdmin = (shop: string) => Promise<ShopAdmin>;

export async function finishInstall(task: Pick<Task, "shop">, openAdmin: OpenShopAdmin): Promise<"finished" | "nothing_pending"> {
  const row = await prisma.shop.findUnique({ where: { shop: task.shop }, select: { status: true, installPendingReason: true } });
  // Uninstalled since, or finished by a later install: nothing to do.
  if (!row || row.status !== "installed" || row.installPendingReason === null) return "nothing_pending";
  try {
    const details = await fetchShopDetails(await openAdmin(task.shop));
    return (await completePendingInstall(task.shop, details)) ? "finished" : "nothing_pending";
  } catch (error) {
    await notePendingInstallReason(task.shop, describeAdminFailure(error));
    throw error;
  }
}

/** Finishing installs, for the task registry (app/background.server.ts). */
export function installTaskHandlers(openAdmin: OpenShopAdmin): TaskHandlers {
  return {
    [FINISH_INSTALL]: {
      run: async (task) => {
        await finishInstall(task, openAdmin);
      },
      maxAttempts: MAX_ATTEMPTS,
    },
  };
}

export interface InstallProgress {
  reason: string;
  attempts: number;
  /** When the next try is due (ISO), null while one runs */
  nextAttemptAt: string | null;
}

/**
 * What the home page says while the install is unfinished; null once it is finished. A round
 * of retries that ran out (or a lost task) starts again: the merchant is waiting on it.
 */
export async function loadInstallProgress(shop: string): Promise<InstallProgress | null> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { installPendingReason: true } });
  if (!row?.installPendingReason) return null;
  let task = await findTask(shop, FINISH_INSTALL);
  if (!task || task.status === "failed" || task.status === "done") {
    await enqueueOrRestartTask({ shop, kind: FINISH_INSTALL, dedupKey: FINISH_INSTALL });
    task = await findTask(shop, FINISH_INSTALL);
  }
  return {
    reason: row.installPendingReason,
    attempts: task?.attempts ?? 0,
    nextAttemptAt: task?.status === "queued" ? task.runAt.toISOString() : null,
  };
}
