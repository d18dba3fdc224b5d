import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { env } from "../env.server";
import { wakeTaskRunners } from "../tasks/runner.server";
import { describeFailure, isTransientFailure } from "./delivery-errors";
import { keepFailedDelivery, recordReplayFailure, resolveFailedDelivery, signedBody, type FailedDelivery } from "./failed-deliveries.server";
import { log } from "../shared/log.server";
import { LosslessJsonUnavailable, parseShopifyJson } from "./shopify-json";
import { storedTopic, verifyShopifyDelivery, type ShopifyDelivery } from "./shopify-signature.server";
import { recordDelivery, type Outcome } from "./receipt.server";
import type { WebhookHandler, WebhookMeta } from "./webhook-handler";

/**
 * Shopify webhook ingestion: verify, dedupe, record, answer. Shopify delivers at least once,
 * out of order, retries for hours and drops a delivery after 5 s, so a topic's writes must be
 * quick and idempotent; anything slow is enqueued as a Task inside the same transaction. What a
 * topic's handler provides is in ./webhook-handler.ts, the receipt and its writes in
 * ./receipt.server.ts.
 * https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates
 */
export type { WebhookHandler, WebhookMeta };

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
    return { kind: "done", ...(await recordDelivery(handler, meta, parsed.data)) };
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
