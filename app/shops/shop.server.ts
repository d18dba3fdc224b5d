import type { AdminApiContext } from "@shopify/shopify-app-remix/server";
import prisma from "../db.server";
import { cancelShopNotifications } from "../outbox/erasure.server";
import { enqueueOrRestartTask } from "../tasks/queue.server";
import { wakeTaskRunners } from "../tasks/runner.server";
import { describeAdminFailure, fetchShopDetails, type ShopDetails } from "./shop-details.server";

/** Shop records: created on install from the Admin API, read by every shop-scoped module. */
export function getShop(shop: string) {
  return prisma.shop.findUnique({ where: { shop }, include: { settings: true } });
}

/** Task kind: read the shop's details again until the Admin API gives them (install-completion.server.ts). */
export const FINISH_INSTALL = "shops.finish_install";

/** What Shopify's reinstall resets: the shop is installed and may send again. */
/**
 * What an install (or reinstall) writes. installedAt lets a late app/uninstalled, triggered before
 * this install, be recognised and ignored (app/shops/uninstall-delivery.server.ts).
 */
const installedNow = () =>
  ({ status: "installed", installedAt: new Date(), uninstalledAt: null, sendingPausedReason: null, sendingPausedAt: null }) as const;

/**
 * Called after OAuth / token exchange (afterAuth): the shop is installed (again). Its details
 * come from the Admin API; when that call fails (an error from Shopify, the network) the install
 * is still recorded, marked pending with the reason, and a task retries the call with backoff,
 * so webhooks that follow are applied and the admin can say what is left to do.
 */
export async function recordInstall(shop: string, admin: Pick<AdminApiContext, "graphql">) {
  let details: ShopDetails;
  try {
    details = await fetchShopDetails(admin);
  } catch (error) {
    await markInstallPending(shop, describeAdminFailure(error));
    await enqueueOrRestartTask({ shop, kind: FINISH_INSTALL, dedupKey: FINISH_INSTALL });
    wakeTaskRunners();
    return;
  }
  await saveShopDetails(shop, details);
}

/** The shop is installed with these details: nothing left pending. */
export async function saveShopDetails(shop: string, details: ShopDetails) {
  await prisma.shop.upsert({
    where: { shop },
    create: { shop, ...details, settings: { create: {} } },
    update: { ...details, ...installedNow(), installPendingReason: null },
  });
  await prisma.shopSettings.upsert({ where: { shop }, create: { shop }, update: {} });
}

/**
 * The shop is installed but its details are not known yet: a new shop gets the defaults until
 * they are; a reinstalled one keeps what it had.
 */
export async function markInstallPending(shop: string, reason: string) {
  await prisma.shop.upsert({
    where: { shop },
    create: { shop, installPendingReason: reason, settings: { create: {} } },
    update: { ...installedNow(), installPendingReason: reason },
  });
  await prisma.shopSettings.upsert({ where: { shop }, create: { shop }, update: {} });
}

/**
 * The retrying task's writes: only while the shop is still installed and pending, so an
 * app/uninstalled (or a later install) that committed meanwhile is never undone. Returns
 * whether the row was still pending.
 */
export async function completePendingInstall(shop: string, details: ShopDetails): Promise<boolean> {
  const { count } = await prisma.shop.updateMany({
    where: { shop, status: "installed", installPendingReason: { not: null } },
    data: { ...details, installPendingReason: null },
  });
  return count > 0;
}

export async function notePendingInstallReason(shop: string, reason: string) {
  await prisma.shop.updateMany({
    where: { shop, status: "installed", installPendingReason: { not: null } },
    data: { installPendingReason: reason },
  });
}

/**
 * app/uninstalled: the shop's tokens are dead. Remove its sessions and stop every send; the data
 * stays until shop/redact (48 h later), so a quick reinstall finds it.
 */
export async function recordUninstall(tx: typeof prisma | Parameters<Parameters<typeof prisma.$transaction>[0]>[0], shop: string, at: Date) {
  await tx.session.deleteMany({ where: { shop } });
  await tx.shop.updateMany({
    where: { shop },
    data: { status: "uninstalled", uninstalledAt: at, sendingPausedReason: "uninstalled", sendingPausedAt: at },
  });
  await cancelShopNotifications(tx, shop, "app_uninstalled");
}
