import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { withLogContext } from "./log-context.server";

const REQUEST_ID_HEADER = "X-Request-Id";

/**
 * An id a proxy or load balancer in front of the app already gave the request is kept, so one id
 * follows the request through both logs; anything else is replaced. Only short ids of letters,
 * digits and `-_.:`, 8 to 128 of them and at least one letter, are kept: the value is written into
 * every log line and echoed in a header, so a client must not be able to put arbitrary text, or
 * a bare number that could be a phone number, there.
 */
const WELL_FORMED = /^(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9._:-]{8,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && WELL_FORMED.test(header) ? header : randomUUID();
}

/**
 * Handles one HTTP request under its request id: every line logged while it is served carries
 * `requestId`, and the response names it in X-Request-Id (what a merchant or Meta's support can
 * quote back to find those lines).
 */
export function serveWithRequestId(req: IncomingMessage, res: ServerResponse, handle: () => void): void {
  const requestId = requestIdFrom(req.headers["x-request-id"]);
  res.setHeader(REQUEST_ID_HEADER, requestId);
  withLogContext({ requestId }, handle);
}
