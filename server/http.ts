import type { IncomingMessage, ServerResponse } from "node:http";
import { createHeaders, sendResponse } from "@remix-run/node-fetch-server";
import type { DirectWebhook, WebhookAnswer } from "../app/webhooks/ingest.server";
import { errorFields, log } from "../app/shared/log.server";

/** Largest request body accepted. Shopify's biggest webhook payloads stay well under this. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * How much of a refused body is still read, and thrown away, before the 413 goes out. A client
 * that sends its whole body before reading the answer would otherwise be writing into a closed
 * connection: the kernel answers the rest of its bytes with a reset, and it sees that instead of
 * the 413. Past this much the connection is simply closed: nobody is owed an endless upload.
 */
export const MAX_DISCARDED_BYTES = 16 * 1024 * 1024;

export class BodyTooLarge extends Error {
  constructor() {
    super(`Request body is larger than ${MAX_BODY_BYTES} bytes`);
    this.name = "BodyTooLarge";
  }
}

/** Reads the rest of a refused body without keeping it; false when it was too much to read. */
function discardBody(req: IncomingMessage, alreadyRead: number): Promise<boolean> {
  return new Promise((resolve) => {
    let read = alreadyRead;
    req.on("data", (chunk: Buffer) => {
      read += chunk.length;
      if (read > MAX_DISCARDED_BYTES) {
        req.socket.destroy();
        resolve(false);
      }
    });
    req.on("end", () => resolve(true));
    req.on("error", () => resolve(false));
    req.on("close", () => resolve(false));
    req.resume();
  });
}

/**
 * Reads the body. One over the limit is refused (BodyTooLarge) once the client has finished
 * sending it, so that the answer reaches the client; see MAX_DISCARDED_BYTES.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_DISCARDED_BYTES) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const refuse = (alreadyRead: number) => {
      req.off("data", onData);
      req.off("end", onEnd);
      void discardBody(req, alreadyRead).then(() => reject(new BodyTooLarge()));
    };
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return refuse(size);
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    if (declared > limit) return refuse(0);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
  });
}

const TOO_LARGE = { error: "payload_too_large" };

export type FetchHandler = (request: Request, client: { address: string }) => Promise<Response>;

/**
 * A node:http listener for a fetch-style handler. Bodies are buffered with a size limit so an
 * oversized payload is refused with 413 before any route (or HMAC check) reads it.
 */
export function nodeListener(handler: FetchHandler, origin: () => string) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    let response: Response;
    try {
      const method = req.method ?? "GET";
      const hasBody = method !== "GET" && method !== "HEAD";
      const body = hasBody ? await readBody(req, MAX_BODY_BYTES) : undefined;
      const request = new Request(new URL(req.url ?? "/", origin()), {
        method,
        headers: createHeaders(req),
        body: hasBody ? new Uint8Array(body ?? []) : undefined,
        signal: controller.signal,
      });
      response = await handler(request, { address: req.socket.remoteAddress ?? "" });
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        response = Response.json(TOO_LARGE, { status: 413 });
      } else {
        log.error("request failed", { error: errorFields(error) });
        response = new Response("Internal Server Error", { status: 500 });
      }
    }
    await sendResponse(res, response);
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * Serves a webhook (a Shopify topic, Meta's WhatsApp notifications) straight from node:http,
 * without building a fetch Request, matching routes or making a Response: the route's action (a
 * DirectWebhook) is handed the raw body and the headers through its receive(). Same body limit
 * and the same answers as through Remix.
 */
export async function serveWebhook(req: IncomingMessage, res: ServerResponse, webhook: DirectWebhook) {
  let answer: WebhookAnswer;
  try {
    const body = await readBody(req, MAX_BODY_BYTES);
    answer = await webhook.receive({ method: req.method ?? "POST", header: (name) => header(req, name), body });
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      answer = { status: 413, body: TOO_LARGE };
    } else {
      log.error("webhook failed", { error: errorFields(error) });
      answer = { status: 500, body: { error: "internal_error" } };
    }
  }
  if (answer.body === undefined) {
    res.writeHead(answer.status, { "Content-Length": 0 });
    res.end();
    return;
  }
  const json = JSON.stringify(answer.body);
  res.writeHead(answer.status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(json) });
  res.end(json);
}
