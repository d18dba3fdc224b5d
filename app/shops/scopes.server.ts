import type { Prisma } from "@prisma/client";
import { z } from "zod";
import type { WebhookMeta } from "../webhooks/ingest.server";

/**
 * app/scopes_update: the merchant granted or revoked optional scopes. The offline session's
 * scope string is what the library compares with the configured scopes, so it must follow.
 * https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-app/scopes_update
 */
export const scopesUpdatePayload = z.object({
  previous: z.array(z.string()).default([]),
  current: z.array(z.string()),
  updated_at: z.string().nullish(),
});

export type ScopesUpdatePayload = z.infer<typeof scopesUpdatePayload>;

export async function applyScopesUpdate(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: ScopesUpdatePayload) {
  await tx.session.updateMany({
    where: { shop: meta.shop, isOnline: false },
    data: { scope: payload.current.join(",") },
  });
}
