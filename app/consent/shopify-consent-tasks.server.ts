import type { Task } from "@prisma/client";
import { z } from "zod";
import { unauthenticated } from "../shopify.server";
import type { TaskHandlers } from "../tasks/registry.server";
import { PUSH_CONSENT_TO_SHOPIFY, READ_SHOPIFY_CUSTOMER_CONSENT } from "./shopify-consent-queue.server";
import { pullConsentFromShopify, pushConsentToShopify } from "./shopify-consent-sync.server";

/**
 * The two directions of WhatsApp consent sync as Tasks, with the shop's offline Admin session. A
 * failed call is retried with the queue's backoff; a userError that would fail again (unknown
 * customer, no phone number) ends the task at once, its codes kept as the task's last error.
 */
const push = z.object({ subscriberId: z.string().min(1) });
const read = z.object({ customerId: z.string().regex(/^\d+$/) });

export async function runConsentPush(task: Task) {
  const { subscriberId } = push.parse(task.payload);
  const { admin } = await unauthenticated.admin(task.shop);
  await pushConsentToShopify(task.shop, subscriberId, admin);
}

export async function runConsentRead(task: Task) {
  const { customerId } = read.parse(task.payload);
  const { admin } = await unauthenticated.admin(task.shop);
  await pullConsentFromShopify(task.shop, customerId, admin);
}

/** Consent sync's deferred work, for the task registry (app/background.server.ts). */
export const consentTaskHandlers: TaskHandlers = {
  [PUSH_CONSENT_TO_SHOPIFY]: runConsentPush,
  [READ_SHOPIFY_CUSTOMER_CONSENT]: runConsentRead,
};
