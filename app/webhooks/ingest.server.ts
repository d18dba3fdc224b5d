import type { ActionFunctionArgs } from "@remix-run/node";
import { Prisma } from "@prisma/client";
import type { z } from "zod";
import prisma from "../db.server";
import { env } from "../env.server";
import { wakeTaskRunners } from "../tasks/runner.server";
import { describeFailure, isTransientFailure } from "./delivery-errors";
import { keepFailedDelivery, recordReplayFailure, resolveFailedDelivery, signedBody, type FailedDelivery } from "./failed-deliveries.server";
import { commitDelivery } from "./group-commit.server";
import { log } from "../shared/log.server";
import { LosslessJsonUnavailable, parseShopifyJson } from "./shopify-json";
import { storedTopic, verifyShopifyDelivery, type ShopifyDelivery } from "./shopify-signature.server";
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
  /** The topic this endpoint is subscribed to in shopify.app.toml ("carts/update") */
  topic: string;
  schema: z.ZodType<T>;
  /** Payloads for shops that never installed (or uninstalled) are acknowledged and dropped. */
  requiresInstalledShop: boolean;
  /** The shop a payload names itself, where it does: it must be the X-Shopify-Shop-Domain shop. */
  payloadShop?(payload: T): string | null | undefined;
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
    | {
        steps?: undefined;
        lockKey?: undefined;
        /**
         * A reason to leave this delivery alone (it would undo something newer), or null. Runs
         * in the transaction before the receipt, so an ignored delivery writes nothing at all.
         */
        skip?(tx: Prisma.TransactionClient, meta: WebhookMeta, payload: T): Promise<string | null>;
      }
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

export type ReplayResult = { resolved: true; outcome: Outcome } | { resolved: false; reason: string };

/** A Shopify topic's action, which can also apply a delivery kept by an earlier version again. */
export type ShopifyWebhook = DirectWebhook & {
  topic: string;
  replay(stored: FailedDelivery): Promise<ReplayResult>;
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
export function shopifyWebhook<T>(handler: WebhookHandler<T>): ShopifyWebhook {
  const action = directWebhook((delivery) => receiveShopifyWebhook(delivery, handler));
  return Object.assign(action, { topic: handler.topic, replay: (stored: FailedDelivery) => replayShopifyWebhook(handler, stored) });
}

const decoder = new TextDecoder();

function parseTriggeredAt(value: string | undefined): Date | null {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}

type Outcome = "applied" | "duplicate" | "not_installed" | "ignored";

/** What came of a signed delivery: done (any outcome), refused (400) or kept for replay. */
type Processed =
  | { kind: "done"; outcome: Outcome; reason?: string }
  | { kind: "refused"; error: string }
  | { kind: "failed"; reason: string };

export async function receiveShopifyWebhook<T>(delivery: ShopifyDelivery, handler: WebhookHandler<T>): Promise<WebhookAnswer> {
  const verified = verifyShopifyDelivery(delivery, env().SHOPIFY_API_SECRET);
  if (!verified.ok) return { status: verified.status, body: verified.error === undefined ? undefined : { error: verified.error } };

  const { delivery: headers } = verified;
  // Each endpoint serves the one topic shopify.app.toml subscribes it to: a delivery of another
  // topic posted here would be read with the wrong schema and handler.
  if (headers.topic !== storedTopic(handler.topic)) return { status: 400, body: { error: `X-Shopify-Topic is not ${handler.topic}` } };
  const meta: WebhookMeta = {
    shop: headers.shop,
    topic: headers.topic,
    eventId: headers.eventId ?? headers.webhookId,
    triggeredAt: parseTriggeredAt(headers.triggeredAt),
    apiVersion: headers.apiVersion,
  };
  const processed = await processDelivery(handler, meta, delivery.body);
  if (processed.kind === "refused") return { status: 400, body: { error: processed.error } };
  if (processed.kind === "done") return answerDone(meta, processed);

  // Signed by Shopify, so Shopify's: kept for replay rather than refused into 4 hours of retries.
  if (handler.requiresInstalledShop && !(await isInstalled(meta.shop))) return { status: 200, body: { ignored: "shop is not installed" } };
  const kept = await keepFailedDelivery({
    shop: meta.shop,
    topic: handler.topic,
    eventId: meta.eventId,
    webhookId: headers.webhookId,
    apiVersion: meta.apiVersion,
    triggeredAt: meta.triggeredAt,
    body: delivery.body,
    reason: processed.reason,
  });
  const fields = { shop: meta.shop, topic: handler.topic, eventId: meta.eventId, reason: processed.reason };
  if (kept.kept === "no_room") {
    // Answered with an error, so Shopify keeps retrying it while an operator clears the backlog.
    log.error("webhook not applied and the shop's failed deliveries are full", fields);
    return { status: 503, body: { error: "failed deliveries of this shop are at their limit" } };
  }
  log.warn("webhook not applied, kept for replay", { ...fields, id: kept.id });
  return { status: 200, body: { ok: false, outcome: "kept", id: kept.id, reason: processed.reason } };
}

function answerDone(meta: WebhookMeta, done: Extract<Processed, { kind: "done" }>): WebhookAnswer {
  if (done.outcome === "not_installed") return { status: 200, body: { ignored: "shop is not installed" } };
  if (done.outcome === "ignored") {
    log.info("webhook ignored", { shop: meta.shop, topic: meta.topic, eventId: meta.eventId, reason: done.reason });
    return { status: 200, body: { ignored: done.reason } };
  }
  // Committed: a task it enqueued (a restock's fan-out) can start now rather than at the next poll.
  if (done.outcome === "applied") wakeTaskRunners();
  return { status: 200, body: { ok: true, outcome: done.outcome } };
}

async function isInstalled(shop: string) {
  return (await prisma.shop.findUnique({ where: { shop }, select: { status: true } }))?.status === "installed";
}

/**
 * Parse, check and apply. A transient failure (the database unreachable, a deadlock) is thrown,
 * so the delivery is answered 5xx and Shopify retries it; any other failure is "failed".
 */
async function processDelivery<T>(handler: WebhookHandler<T>, meta: WebhookMeta, body: Uint8Array): Promise<Processed> {
  let json: unknown;
  try {
    json = parseShopifyJson(decoder.decode(body));
  } catch (error) {
    if (error instanceof LosslessJsonUnavailable) throw error;
    return { kind: "failed", reason: error instanceof RangeError ? "body is nested too deeply to read" : "body is not JSON" };
  }
  const parsed = handler.schema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
    return { kind: "failed", reason: `payload does not match the topic (${fields.join("; ")})` };
  }
  const claimed = handler.payloadShop?.(parsed.data);
  if (claimed && claimed.toLowerCase() !== meta.shop.toLowerCase()) {
    return { kind: "refused", error: "the payload names another shop than X-Shopify-Shop-Domain" };
  }
  try {
    return { kind: "done", ...(await record(handler, meta, parsed.data)) };
  } catch (error) {
    if (isTransientFailure(error)) throw error;
    return { kind: "failed", reason: `applying it failed: ${describeFailure(error)}` };
  }
}

/** Applies a kept delivery through the handler that refused it (its signature was checked then). */
async function replayShopifyWebhook<T>(handler: WebhookHandler<T>, stored: FailedDelivery): Promise<ReplayResult> {
  const meta: WebhookMeta = {
    shop: stored.shop,
    topic: storedTopic(stored.topic),
    eventId: stored.eventId,
    triggeredAt: stored.triggeredAt,
    apiVersion: stored.apiVersion,
  };
  const processed = await processDelivery(handler, meta, signedBody(stored));
  if (processed.kind === "done") {
    await resolveFailedDelivery(stored.id);
    if (processed.outcome === "applied") wakeTaskRunners();
    return { resolved: true, outcome: processed.outcome };
  }
  const reason = processed.kind === "refused" ? processed.error : processed.reason;
  await recordReplayFailure(stored.id, reason);
  return { resolved: false, reason };
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

async function record<T>(handler: WebhookHandler<T>, meta: WebhookMeta, payload: T): Promise<{ outcome: Outcome; reason?: string }> {
  const key = (lockKey: LockKey<T>) => `${meta.shop} ${lockKey(payload)}`;
  if ("locked" in handler) {
    const { lock, apply, lockKey } = handler.locked;
    const writes = apply(meta, payload, RECEIVED_BEFORE);
    const statements = [receiptStatement(handler, meta, { lock: lock(meta, payload) }), ...(writes ? [writes] : [])];
    const [[row]] = (await commitDelivery({ key: key(lockKey), statements })) as [ReceiptRow[]];
    return { outcome: outcomeOf(row) };
  }
  if (handler.steps) {
    // One statement on the driver directly, grouped with its neighbours: every cart delivery.
    const statement = receiptStatement(handler, meta, { steps: handler.steps(meta, payload, RECEIVED) });
    const [[row]] = (await commitDelivery({ key: key(handler.lockKey), statements: [statement] })) as [ReceiptRow[]];
    return { outcome: outcomeOf(row) };
  }
  const { skip } = handler;
  return prisma.$transaction(async (tx) => {
    const reason = skip ? await skip(tx, meta, payload) : null;
    if (reason) return { outcome: "ignored" as const, reason };
    const [row] = await tx.$queryRaw<ReceiptRow[]>(receiptStatement(handler, meta, {}));
    const outcome = outcomeOf(row);
    if (outcome === "applied") await handler.apply(tx, meta, payload);
    return { outcome };
  });
}
