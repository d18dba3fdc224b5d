import http from "node:http";
import https from "node:https";
import { z } from "zod";
import { WhatsAppApiError, WhatsAppUnreachable } from "./errors";

/**
 * One Graph API request and its answer, shared by the Cloud API client and Embedded Signup's calls:
 * a JSON answer, or WhatsAppApiError read from Meta's error body, or WhatsAppUnreachable.
 * Graph errors: https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
const graphError = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number(),
    error_subcode: z.number().optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
    error_data: z.object({ details: z.string().optional() }).passthrough().optional(),
  }),
});

export type GraphMethod = "GET" | "POST" | "DELETE";

/** A Graph API answer, read in full. */
interface Answer {
  status: number;
  statusText: string;
  text: string;
}

/**
 * Connections to the Graph API stay open between sends and are shared by every client of the
 * process, as fetch's global pool would. A connection left idle is closed after a few seconds
 * (fetch's default too), before a server closes it under a request.
 */
const IDLE_SOCKET_MS = 4_000;
const agents = {
  "http:": new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  "https:": new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
};

/**
 * One request over node:http(s). At the dispatcher's rate (up to 1,000 sends a second per
 * number) fetch cost almost three times the allocation per send and kept much of it past the
 * young generation (its Request and Response are registered with a FinalizationRegistry, which
 * only a full collection clears), so the old generation grew by about 25 KB per send between
 * collections. Here a send allocates its buffers and a few objects that die young.
 * Rejects only with WhatsAppUnreachable: no answer, or not all of it. The cause never carries
 * the URL (an access token exchange has the app secret in its query).
 */
function exchange(url: string, method: GraphMethod, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      return reject(new WhatsAppUnreachable(`unsupported protocol ${target.protocol}`));
    }
    const request = (target.protocol === "https:" ? https : http).request(target, {
      method,
      agent: agents[target.protocol],
      headers: body === undefined ? headers : { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
    });
    let settled = false;
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      request.destroy();
    }, timeoutMs);
    deadline.unref();
    const fail = (cause: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      reject(new WhatsAppUnreachable(timedOut ? `no answer within ${timeoutMs} ms` : cause));
    };
    request.on("error", (error: NodeJS.ErrnoException) => fail(error.code ?? error.name));
    request.on("close", () => fail("connection closed before an answer"));
    request.on("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("error", (error: NodeJS.ErrnoException) => fail(error.code ?? error.name));
      response.on("close", () => fail("connection closed before the end of the answer"));
      response.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? "", text });
      });
    });
    request.end(body);
  });
}

/** A Graph API call: the parsed JSON of a 2xx answer, else WhatsAppApiError from Meta's error body. */
export async function graphCall(
  url: string,
  token: string | null,
  init: { method?: GraphMethod; body?: string; timeoutMs?: number } = {},
): Promise<unknown> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const response = await exchange(url, init.method ?? "GET", headers, init.body, init.timeoutMs ?? 15_000);
  const ok = response.status >= 200 && response.status < 300;
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    if (ok) throw new WhatsAppApiError({ code: 1, title: "Answer is not JSON", httpStatus: 502 });
    throw new WhatsAppApiError({ code: response.status, title: response.statusText || "HTTP error", httpStatus: response.status });
  }
  if (!ok) {
    const parsed = graphError.safeParse(body);
    if (!parsed.success) {
      throw new WhatsAppApiError({ code: response.status, title: "Unrecognised error answer", httpStatus: response.status });
    }
    const e = parsed.data.error;
    throw new WhatsAppApiError({
      code: e.code,
      title: e.error_user_title ?? e.message ?? e.type ?? "error",
      details: e.error_data?.details ?? e.error_user_msg ?? null,
      httpStatus: response.status,
      subcode: e.error_subcode ?? null,
    });
  }
  return body;
}
