import type { ActionFunctionArgs } from "@remix-run/node";
import { Prisma } from "@prisma/client";
import type { z } from "zod";
import prisma from "../db.server";
import { env } from "../env.server";
import { wakeTaskRunners } from "../tasks/runner.server";
import { commitDelivery } from "./group-commit.server";
import { verifyShopifyDelivery, type ShopifyDelivery } from "./shopify-signature.server";
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

interface HandlerBase<T> {
  schema: z.ZodType<T>;
  /** Payloads for shops that never installed (or uninstalled) are acknowledged and dropped. */
  requiresInstalledShop: boolean;
}

/**
 * Names the rows a delivery's statements lock, within its shop (a cart's token, an inventory
 * item): deliveries of one key never share a group commit (app/webhooks/group-commit.server.ts).
 */
type LockKey<T> = (payload: T) => string;

/** The payload's writes through the ORM, in the receipt's transaction. */
type AppliedInTransaction<T> = HandlerBase<T> & {
  apply(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: T): Promise<void>;
} & (
    | { steps?: undefined; lockKey?: undefined }
    | {
        /**
         * apply's writes as named data-modifying CTEs ("name AS (…)") of the statement that
         * records the receipt, each guarded by `received` (true only for the first delivery). One
         * statement is atomic by itself, so the delivery needs no transaction of its own and is
         * committed with the deliveries that arrive alongside it.
         */
        steps(meta: WebhookMeta, payload: T, received: Prisma.Sql): Prisma.Sql[];
        lockKey: LockKey<T>;
      }
  );

/**
 * The payload's writes after row locks the receipt statement takes. A statement reads the
 * snapshot taken when it started, before it waited for its locks, so writes that must see what
 * the previous lock holder committed cannot be steps of that statement: they are the next one,
 * sent with it (one transaction, one round trip) and guarded by `received`.
 */
interface AppliedAfterLock<T> extends HandlerBase<T> {
  locked: {
    /** The body of a SELECT … FOR UPDATE the receipt statement runs */
    lock(meta: WebhookMeta, payload: T): Prisma.Sql;
    /** The writes, each guarded by `received` (true only for a first delivery); null for none */
    apply(meta: WebhookMeta, payload: T, received: Prisma.Sql): Prisma.Sql | null;
    lockKey: LockKey<T>;
  };
}

export type WebhookHandler<T> = AppliedInTransaction<T> | AppliedAfterLock<T>;

export interface WebhookAnswer {
  status: number;
  /** JSON; none for the signature and header failures (as the Shopify library answers them) */
  body?: unknown;
}

/** A POST as node:http hands it over: the method, the headers, the raw body. */
export type RawDelivery = ShopifyDelivery;

/**
 * A webhook route's action. Its `receive` is the same endpoint without Remix: the server calls it
 * for the route's path straight from node:http (server/http.ts serveWebhook). Shopify's topics
 * (shopifyWebhook below) and Meta's WhatsApp webhook (app/routes/whatsapp.webhook.tsx) are these.
 */
export type DirectWebhook = ((args: ActionFunctionArgs) => Promise<Response>) & {
  receive(delivery: RawDelivery): Promise<WebhookAnswer>;
};

export function directWebhook(receive: (delivery: RawDelivery) => Promise<WebhookAnswer>): DirectWebhook {
  const action = async ({ request }: ActionFunctionArgs) => {
    const body = new Uint8Array(await request.arrayBuffer());
    const answer = await receive({ method: request.method, header: (name) => request.headers.get(name) ?? undefined, body });
    return answer.body === undefined ? new Response(null, { status: answer.status }) : Response.json(answer.body, { status: answer.status });
  };
  return Object.assign(action, { receive });
}

/** A Shopify topic's route action. */
export function shopifyWebhook<T>(handler: WebhookHandler<T>): DirectWebhook {
  return directWebhook((delivery) => receiveShopifyWebhook(delivery, handler));
}

const decoder = new TextDecoder();

function parseTriggeredAt(value: string | undefined): Date | null {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}

type Outcome = "applied" | "duplicate" | "not_installed";

export async function receiveShopifyWebhook<T>(delivery: ShopifyDelivery, handler: WebhookHandler<T>): Promise<WebhookAnswer> {
  const verified = verifyShopifyDelivery(delivery, env().SHOPIFY_API_SECRET);
  if (!verified.ok) return { status: verified.status, body: verified.error === undefined ? undefined : { error: verified.error } };

  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(delivery.body));
  } catch {
    return { status: 400, body: { error: "body is not JSON" } };
  }
  const parsed = handler.schema.safeParse(body);
  if (!parsed.success) {
    const fields = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
    return { status: 400, body: { error: "payload does not match the topic", fields } };
  }

  const { delivery: headers } = verified;
  const meta: WebhookMeta = {
    shop: headers.shop,
    topic: headers.topic,
    eventId: headers.eventId ?? headers.webhookId,
    triggeredAt: parseTriggeredAt(headers.triggeredAt),
    apiVersion: headers.apiVersion,
  };
  const outcome = await record(handler, meta, parsed.data);
  if (outcome === "not_installed") return { status: 200, body: { ignored: "shop is not installed" } };
  // Committed: a task it enqueued (a restock's fan-out) can start now rather than at the next poll.
  if (outcome === "applied") wakeTaskRunners();
  return { status: 200, body: { ok: true, outcome } };
}

/**
 * The installed-shop check and the receipt are one statement: one round trip, and an
 * app/uninstalled committed before it is seen (the check runs in the same snapshot as the write).
 */
function receiptStatement(handler: HandlerBase<unknown>, meta: WebhookMeta, extra: { steps?: Prisma.Sql[]; lock?: Prisma.Sql }) {
  const receipt = Prisma.sql`
    s AS (SELECT status FROM "Shop" WHERE shop = ${meta.shop}),
    ok AS (SELECT CAST(${!handler.requiresInstalledShop} AS boolean) OR EXISTS (SELECT 1 FROM s WHERE status = 'installed') AS installed),
    r AS (INSERT INTO "WebhookReceipt" ("eventId", shop, topic, "triggeredAt")
          SELECT ${meta.eventId}, ${meta.shop}, ${meta.topic}, ${sqlTimestamp(meta.triggeredAt)}
           WHERE (SELECT installed FROM ok)
          ON CONFLICT ("eventId") DO NOTHING
          RETURNING 1)`;
  // A plain SELECT in a WITH runs only when read: the lock is counted so that it is taken. The
  // outcome is left for the statement that follows, as a setting that ends with the transaction.
  const lock = extra.lock ? Prisma.sql`, held AS (${extra.lock})` : Prisma.empty;
  const locked = extra.lock
    ? Prisma.sql`, (SELECT count(*) FROM held) AS locked,
        set_config('rebound.webhook_received', CASE WHEN EXISTS (SELECT 1 FROM r) THEN 'yes' ELSE 'no' END, true) AS received`
    : Prisma.empty;
  return Prisma.sql`
    WITH ${Prisma.join([receipt, ...(extra.steps ?? [])], ",")} ${lock}
    SELECT CAST((SELECT count(*) FROM r) AS integer) AS inserted, (SELECT installed FROM ok) AS installed ${locked}`;
}

interface ReceiptRow {
  inserted: number;
  installed: boolean;
}

const outcomeOf = (row: ReceiptRow): Outcome =>
  !row.installed ? "not_installed" : row.inserted === 0 ? "duplicate" : "applied";

const RECEIVED = Prisma.sql`EXISTS (SELECT 1 FROM r)`;
const RECEIVED_BEFORE = Prisma.sql`current_setting('rebound.webhook_received', true) = 'yes'`;

async function record<T>(handler: WebhookHandler<T>, meta: WebhookMeta, payload: T): Promise<Outcome> {
  const key = (lockKey: LockKey<T>) => `${meta.shop} ${lockKey(payload)}`;
  if ("locked" in handler) {
    const { lock, apply, lockKey } = handler.locked;
    const writes = apply(meta, payload, RECEIVED_BEFORE);
    const statements = [receiptStatement(handler, meta, { lock: lock(meta, payload) }), ...(writes ? [writes] : [])];
    const [[row]] = (await commitDelivery({ key: key(lockKey), statements })) as [ReceiptRow[]];
    return outcomeOf(row);
  }
  if (handler.steps) {
    // One statement on the driver directly, grouped with its neighbours: every cart delivery.
    const statement = receiptStatement(handler, meta, { steps: handler.steps(meta, payload, RECEIVED) });
    const [[row]] = (await commitDelivery({ key: key(handler.lockKey), statements: [statement] })) as [ReceiptRow[]];
    return outcomeOf(row);
  }
  return prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<ReceiptRow[]>(receiptStatement(handler, meta, {}));
    const outcome = outcomeOf(row);
    if (outcome === "applied") await handler.apply(tx, meta, payload);
    return outcome;
  });
}
