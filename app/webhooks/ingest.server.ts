import { Prisma } from "@prisma/client";
import type { z } from "zod";
import prisma from "../db.server";
import { withCachedSessions } from "../shops/session-cache.server";
import { authenticate } from "../shopify.server";
import { wakeTaskRunners } from "../tasks/runner.server";
import { sqlTimestamp } from "./sql.server";

/**
 * Shopify webhook ingestion: verify, dedupe, record, answer. Shopify delivers at least once,
 * out of order, retries for hours and drops a delivery after 5 s, so a handler's apply() must be
 * a quick idempotent write; anything slow is enqueued as a Task inside the same transaction.
 * https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates
 */
export interface WebhookMeta {
  shop: string;
  topic: string;
  /** X-Shopify-Event-Id (same for every delivery of one event), else X-Shopify-Webhook-Id */
  eventId: string;
  triggeredAt: Date | null;
  apiVersion: string;
}

export interface WebhookHandler<T> {
  schema: z.ZodType<T>;
  /** Payloads for shops that never installed (or uninstalled) are acknowledged and dropped. */
  requiresInstalledShop: boolean;
  apply(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: T): Promise<void>;
  /**
   * Optional: apply's writes as named data-modifying CTEs ("name AS (…)") of the statement that
   * records the receipt, each guarded by `received` (true only for the first delivery). One
   * statement is atomic by itself, so the delivery then needs one round trip and no transaction.
   */
  steps?(meta: WebhookMeta, payload: T, received: Prisma.Sql): Prisma.Sql[];
}

const json = (body: unknown, status: number) => Response.json(body, { status });

export async function receiveShopifyWebhook<T>(request: Request, handler: WebhookHandler<T>) {
  // Shopify always signs; a delivery without a signature is not from Shopify.
  if (!request.headers.get("x-shopify-hmac-sha256")) {
    return json({ error: "missing X-Shopify-Hmac-Sha256" }, 401);
  }
  let context: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    // The handlers below never use the library's session or admin client, so its session read may
    // come from the short-lived cache; the shop's install state is checked against the database.
    context = await withCachedSessions(() => authenticate.webhook(request));
  } catch (error) {
    if (error instanceof Response) return error;
    if (error instanceof SyntaxError) return json({ error: "body is not JSON" }, 400);
    throw error;
  }

  const parsed = handler.schema.safeParse(context.payload);
  if (!parsed.success) {
    const fields = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
    return json({ error: "payload does not match the topic", fields }, 400);
  }

  const meta: WebhookMeta = {
    shop: context.shop,
    topic: String(context.topic),
    eventId: request.headers.get("x-shopify-event-id") ?? context.webhookId,
    triggeredAt: context.triggeredAt ? new Date(context.triggeredAt) : null,
    apiVersion: context.apiVersion,
  };

  // The installed-shop check and the receipt are one statement: one round trip, and an
  // app/uninstalled committed before it is seen (the check runs in the same snapshot as the write).
  const receipt = Prisma.sql`
    s AS (SELECT status FROM "Shop" WHERE shop = ${meta.shop}),
    ok AS (SELECT CAST(${!handler.requiresInstalledShop} AS boolean) OR EXISTS (SELECT 1 FROM s WHERE status = 'installed') AS installed),
    r AS (INSERT INTO "WebhookReceipt" ("eventId", shop, topic, "triggeredAt")
          SELECT ${meta.eventId}, ${meta.shop}, ${meta.topic}, ${sqlTimestamp(meta.triggeredAt)}
           WHERE (SELECT installed FROM ok)
          ON CONFLICT ("eventId") DO NOTHING
          RETURNING 1)`;
  const steps = handler.steps?.(meta, parsed.data, Prisma.sql`EXISTS (SELECT 1 FROM r)`) ?? [];
  const recordReceipt = async (db: Prisma.TransactionClient) => {
    const [row] = await db.$queryRaw<Array<{ inserted: number; installed: boolean }>>`
      WITH ${Prisma.join([receipt, ...steps], ",")}
      SELECT CAST((SELECT count(*) FROM r) AS integer) AS inserted, (SELECT installed FROM ok) AS installed`;
    if (!row.installed) return "not_installed" as const;
    return row.inserted === 0 ? ("duplicate" as const) : ("applied" as const);
  };

  const outcome = handler.steps
    ? await recordReceipt(prisma)
    : await prisma.$transaction(async (tx) => {
        const recorded = await recordReceipt(tx);
        if (recorded === "applied") await handler.apply(tx, meta, parsed.data);
        return recorded;
      });
  if (outcome === "not_installed") return json({ ignored: "shop is not installed" }, 200);
  // Committed: a task it enqueued (a restock's fan-out) can start now rather than at the next poll.
  if (outcome === "applied") wakeTaskRunners();
  return json({ ok: true, outcome }, 200);
}
