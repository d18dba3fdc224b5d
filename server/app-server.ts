import http from "node:http";
import path from "node:path";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import sirv from "sirv";
import { startBackgroundWork, type BackgroundWork } from "../app/background.server";
import { closeDatabase, databaseReady } from "../app/db.server";
import { env } from "../app/env.server";
import type { DirectWebhook } from "../app/webhooks/ingest.server";
import { assertLosslessJson } from "../app/webhooks/shopify-json";
import { nodeListener, serveWebhook } from "./http";
import { errorFields, log } from "../app/shared/log.server";
import { serveWithRequestId } from "../app/shared/request-id.server";

export type Middleware = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;

export interface ServerOptions {
  /**
   * The app's routes: the Remix server build of this process's own module graph, or (during
   * development) a function that loads the current one for each request.
   */
  build: ServerBuild | (() => Promise<ServerBuild>);
  /** Serves the browser's files; default: build/client under root */
  assets?: Middleware;
  port?: number;
  host?: string;
  /** Run the dispatcher and deferred work in this process (default: DISPATCHER env) */
  background?: boolean;
  /** Directory holding build/ (defaults to the working directory) */
  root?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  server: http.Server;
  background?: BackgroundWork;
  close(): Promise<void>;
}

type Handle = (request: Request, context: Record<string, unknown>) => Promise<Response>;
type WebhookLookup = (pathname: string) => Promise<DirectWebhook | undefined>;

function isDirectWebhook(action: unknown): action is DirectWebhook {
  return typeof action === "function" && typeof (action as Partial<DirectWebhook>).receive === "function";
}

/**
 * The webhook routes (those whose action is a DirectWebhook), by URL path: Shopify posts each
 * topic to the path shopify.app.toml names, which is its route's path, and Meta posts to
 * /whatsapp/webhook.
 */
function webhookEndpoints(build: ServerBuild): Map<string, DirectWebhook> {
  const endpoints = new Map<string, DirectWebhook>();
  for (const route of Object.values(build.routes)) {
    const { action } = route.module;
    if (route.parentId === "root" && route.path && isDirectWebhook(action)) endpoints.set(`/${route.path}`, action);
  }
  return endpoints;
}

/** Paths whose POSTs may be a webhook route (the others go to Remix without a lookup). */
const mayBeWebhook = (url: string) => url.startsWith("/webhooks/") || url.startsWith("/whatsapp/webhook");

/** The built browser files: hashed names under /assets/ never change content, so they may be cached for a year. */
function clientFiles(root: string): Middleware {
  // Both serve from build/client: the URL /assets/x.js is the file build/client/assets/x.js.
  const immutable = sirv(path.join(root, "build/client"), { immutable: true, maxAge: 31536000 });
  const rest = sirv(path.join(root, "build/client"), { maxAge: 3600 });
  return (req, res, next) => (req.url?.startsWith("/assets/") ? immutable(req, res, next) : rest(req, res, next));
}

function remixHandlers(build: ServerOptions["build"]): { handle: Handle; webhook: WebhookLookup } {
  if (typeof build === "function") {
    const handle: Handle = async (request, context) => createRequestHandler(await build(), "development")(request, context);
    const webhook: WebhookLookup = async (pathname) => webhookEndpoints(await build()).get(pathname);
    return { handle, webhook };
  }
  const endpoints = webhookEndpoints(build);
  return { handle: createRequestHandler(build, "production"), webhook: async (pathname) => endpoints.get(pathname) };
}

const CLOSE_GRACE_MS = 5_000;

/** Starts the Rebound web server: migrations first, then HTTP, then background work. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const config = env();
  // Shopify ids above 2^53 are read exactly only where JSON.parse gives revivers the source text.
  assertLosslessJson();
  const root = options.root ?? process.cwd();
  const applied = await databaseReady();
  if (applied.length > 0) log.info("migrations applied", { migrations: applied });

  const remix = { ...remixHandlers(options.build), assets: options.assets ?? clientFiles(root) };
  let origin = config.SHOPIFY_APP_URL;
  const listener = nodeListener(
    (request, client) => remix.handle(request, { clientAddress: client.address }),
    () => origin,
  );
  const serve = (req: http.IncomingMessage, res: http.ServerResponse) => remix.assets(req, res, () => void listener(req, res));
  // Shopify webhooks and Meta's status webhooks skip Remix's request handling: at their delivery
  // rates its per-request work (a fetch Request, route matching, a Response) cost more than the
  // delivery's own write.
  const route = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== "POST" || !req.url || !mayBeWebhook(req.url)) return serve(req, res);
    void remix.webhook(req.url.split("?")[0]).then(
      (webhook) => (webhook ? serveWebhook(req, res, webhook) : serve(req, res)),
      (error: unknown) => {
        log.error("request failed", { error: errorFields(error) });
        res.writeHead(500).end();
      },
    );
  };
  const server = http.createServer((req, res) => serveWithRequestId(req, res, () => route(req, res)));
  server.keepAliveTimeout = 65_000;

  const host = options.host ?? config.HOST;
  await new Promise<void>((resolve) => server.listen(options.port ?? config.PORT, host, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? config.PORT);
  const appUrl = new URL(origin);
  if (["127.0.0.1", "localhost"].includes(appUrl.hostname) && appUrl.port !== String(port)) {
    origin = `${appUrl.protocol}//${appUrl.hostname}:${port}`;
  }

  if (!config.WHATSAPP_APP_SECRET) {
    // Said once, at start, rather than on every refused delivery: Meta's statuses, shoppers' STOP
    // replies and template changes all wait (Meta retries them) until the secret is configured.
    log.warn("WhatsApp webhooks are disabled: WHATSAPP_APP_SECRET (the Meta app secret) is not set", {
      code: "REBOUND_WHATSAPP_WEBHOOKS_DISABLED",
    });
  }

  const runBackground = options.background ?? config.DISPATCHER === "on";
  const background = runBackground ? startBackgroundWork() : undefined;

  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
    port,
    server,
    background,
    async close() {
      // Requests in flight finish first (a webhook mid-transaction, a status callback), so the
      // database is never closed under a handler; a client that holds its request open is cut
      // off after a grace period.
      await new Promise<void>((resolve) => {
        const cutOff = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(cutOff);
          resolve();
        });
        server.closeIdleConnections();
      });
      await background?.stop();
    },
  };
}

export { closeDatabase };
