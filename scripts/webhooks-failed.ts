/**
 * `npm run webhooks:failed`: lists the signed Shopify deliveries that could not be applied and
 * were kept for replay (FailedWebhook), oldest first, without their bodies.
 *   npm run webhooks:failed -- --shop <shop>.myshopify.com   only that shop's
 *   npm run webhooks:failed -- --replay <id>                 applies one again, through the same
 *                                                            handler the server runs (after a fix)
 * A replay that goes through (applied, or already applied by a later delivery) removes the row;
 * one that fails again keeps it with the new reason and exits 1. Reads the same environment as
 * the server (DATABASE_URL, ...). Built with the app (build/server/webhooks-failed.js, so
 * `npm run build` first), it replays through the same route modules the server loads.
 * docs/decisions/022-lossless-ids-and-failed-deliveries.md
 */
import { pathToFileURL } from "node:url";
import { closeDatabase, databaseReady } from "../app/db.server";
import { env } from "../app/env.server";
import { getFailedDelivery, listFailedDeliveries } from "../app/webhooks/failed-deliveries.server";
import type { ShopifyWebhook } from "../app/webhooks/ingest.server";
import { assertLosslessJson } from "../app/webhooks/shopify-json";

type Print = (line: string) => void;

function isShopifyWebhook(action: unknown): action is ShopifyWebhook {
  return typeof action === "function" && typeof (action as Partial<ShopifyWebhook>).replay === "function";
}

/** Shopify's webhook routes; in the build they are the same modules the server's routes are. */
const webhookRoutes = import.meta.glob<{ action?: unknown }>("../app/routes/webhooks.*.tsx", { eager: true });

/** The topic's handler as the server serves it: the route whose action names that topic. */
function handlerFor(topic: string): ShopifyWebhook | undefined {
  return Object.values(webhookRoutes)
    .map((route) => route.action)
    .find((action): action is ShopifyWebhook => isShopifyWebhook(action) && action.topic === topic);
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/** Runs the command; resolves to its exit code. */
export async function failedWebhooksCommand(args: string[], print: Print): Promise<number> {
  env();
  assertLosslessJson();
  await databaseReady();
  const replay = option(args, "--replay");
  if (replay === undefined) {
    const rows = await listFailedDeliveries(option(args, "--shop"));
    for (const row of rows) {
      print(`${row.id}  ${row.receivedAt.toISOString()}  ${row.shop}  ${row.topic}  event ${row.eventId}  attempts ${row.attempts}  ${row.reason}`);
    }
    print(`${rows.length} failed ${rows.length === 1 ? "delivery" : "deliveries"} kept`);
    return 0;
  }
  const stored = await getFailedDelivery(replay);
  if (!stored) {
    print(`no failed delivery ${replay}`);
    return 1;
  }
  const handler = handlerFor(stored.topic);
  if (!handler) {
    print(`no handler for ${stored.topic}`);
    return 1;
  }
  const result = await handler.replay(stored);
  if (result.resolved) {
    print(`replayed ${stored.id} (${stored.topic}, ${stored.shop}): ${result.outcome}`);
    return 0;
  }
  print(`still failing ${stored.id} (${stored.topic}, ${stored.shop}): ${result.reason}`);
  return 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  failedWebhooksCommand(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`))
    .then(async (code) => {
      await closeDatabase();
      process.exit(code);
    })
    .catch(async (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      await closeDatabase().catch(() => {});
      process.exit(1);
    });
}
