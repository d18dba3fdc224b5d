import { createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { answerBusinessManagement, holds, type GraphAnswer } from "./business-management";
import { registerSignup, type FakeSignup } from "./signup";
import { TemplateReview } from "./template-review";
import { FakeIdentities, type FakeIdentity } from "./identities";
import { AccountSignals } from "./account-signals";

/**
 * A local WhatsApp Cloud API (Graph API) for tests and the sandbox. It speaks Meta's documented
 * shapes: POST /{version}/{phone-number-id}/messages (and /marketing_messages) for template
 * sends, GET /{version}/{waba-id}/message_templates, the account's phone numbers
 * (business-management.ts), Graph error bodies, and webhooks signed with X-Hub-Signature-256 and
 * the one Meta app secret, as Meta signs every webhook of an app. It refuses what WhatsApp
 * refuses (wrong token 190, unknown or unapproved template 132001, parameter count mismatch
 * 132000), can inject faults, and records every message it accepted so tests can count lost and
 * duplicate sends.
 * Send: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
 * Webhooks: https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
 * Errors: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
 */
export interface FakeTemplate {
  id?: string;
  name: string;
  language: string;
  category: "MARKETING" | "UTILITY" | "AUTHENTICATION";
  status?: string;
  components: Array<Record<string, unknown>>;
}

export interface FakeNumber {
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  /** Business tokens Embedded Signup issued for the number's account (signup.ts) */
  grantedTokens?: string[];
  displayPhoneNumber?: string;
  /** The business name Meta shows for the number */
  verifiedName?: string;
  /** The portfolio's messaging limit (TIER_250 when unset) and the number's quality rating; see account-signals.ts */
  messagingLimit?: string;
  qualityRating?: string;
}

export type Fault = "http_500" | "timeout" | "reset" | 130429 | 131048 | 131056 | 131049 | 131050 | 131026 | 190 | 368;

export interface AcceptedMessage {
  id: string;
  phoneNumberId: string;
  edge: "messages" | "marketing_messages";
  to: string;
  template: string;
  language: string;
  components: Array<Record<string, unknown>>;
  callbackData: string | null;
  at: Date;
}

/** The fields of a send request the fake checks (anything else passes through unread). */
interface SendRequest {
  messaging_product?: unknown;
  to?: unknown;
  type?: unknown;
  biz_opaque_callback_data?: unknown;
  template?: { name?: string; language?: { code?: string }; components?: unknown };
}

export interface FakeWhatsAppOptions {
  numbers: FakeNumber[];
  templates?: Record<string, FakeTemplate[]>;
  /** Where to deliver webhooks (the app's /whatsapp/webhook) */
  webhookUrl?: string;
  /**
   * The Meta app's secret, which signs every webhook; default WHATSAPP_APP_SECRET from the
   * environment, else one made up (readable as `appSecret`).
   */
  appSecret?: string;
  /** The Meta app's id; default WHATSAPP_APP_ID from the environment, else one made up. */
  appId?: string;
  /**
   * Send sent -> delivered -> read for each accepted message, as Meta does: each status its own
   * signed POST, a failed delivery (not 200, or no answer) tried again with increasing delays.
   */
  autoStatuses?: boolean;
  /** Before each status of a message (default 20 ms) */
  statusDelayMs?: number;
  /** Status POSTs in flight at once, over kept-alive connections (default 16) */
  statusConcurrency?: number;
  /** Share of send requests that fail with a random fault from `faultKinds` */
  faultRate?: number;
  faultKinds?: Fault[];
  random?: () => number;
}

const ERRORS: Record<number, { status: number; title: string; details: string }> = {
  190: { status: 401, title: "Error validating access token", details: "The access token has expired or is invalid." },
  368: { status: 400, title: "Temporarily blocked for policies violations", details: "The account is restricted for policy violations." },
  130429: { status: 400, title: "Rate limit hit", details: "Cloud API message throughput has been reached." },
  131048: { status: 400, title: "Spam rate limit hit", details: "Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam." },
  131026: { status: 400, title: "Message undeliverable", details: "Unable to deliver message." },
  131049: { status: 400, title: "This message was not delivered to maintain healthy ecosystem engagement.", details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered." },
  131050: { status: 400, title: "User has stopped marketing messages from this business", details: "Unable to deliver the marketing message because the user stopped marketing messages." },
  131056: { status: 400, title: "(Business Account, Consumer Account) pair rate limit hit", details: "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time." },
  132000: { status: 400, title: "Number of parameters does not match the expected number of params", details: "" },
  132001: { status: 404, title: "Template name does not exist in the translation", details: "" },
  132012: { status: 400, title: "Parameter format does not match format in the created template", details: "" },
  100: { status: 400, title: "Invalid parameter", details: "" },
};

function graphError(code: number, details?: string) {
  const known = ERRORS[code] ?? { status: 400, title: "Error", details: "" };
  return {
    status: known.status,
    body: {
      error: {
        message: `(#${code}) ${known.title}`,
        type: code === 190 ? "OAuthException" : "OAuthException",
        code,
        error_data: { messaging_product: "whatsapp", details: details ?? known.details },
        fbtrace_id: randomBytes(8).toString("base64url"),
      },
    },
  };
}

const placeholders = (text: unknown) => new Set(String(text ?? "").match(/\{\{\s*\d+\s*\}\}/g) ?? []).size;

/** Checks a send's components against the stored template the way WhatsApp does. */
function checkParameters(template: FakeTemplate, components: Array<Record<string, unknown>>): { code: number; details: string } | null {
  const given = (type: string, index?: string) =>
    components.find((c) => c.type === type && (index === undefined || String(c.index) === index)) as
      | { parameters?: Array<Record<string, unknown>> }
      | undefined;
  for (const part of template.components) {
    const type = String(part.type).toUpperCase();
    if (type === "HEADER" && part.format === "IMAGE") {
      const p = given("header")?.parameters ?? [];
      if (p.length !== 1) return { code: 132000, details: "header: expected 1 image parameter" };
      const link = (p[0]?.image as { link?: unknown } | undefined)?.link;
      if (p[0]?.type !== "image" || typeof link !== "string") return { code: 132012, details: "header: expected an image" };
    }
    if (type === "BODY") {
      const expected = placeholders(part.text);
      const p = given("body")?.parameters ?? [];
      if (p.length !== expected) return { code: 132000, details: `body: expected ${expected} parameters, got ${p.length}` };
      if (p.some((x) => x.type !== "text" || typeof x.text !== "string")) return { code: 132012, details: "body: text parameters expected" };
    }
    if (type === "BUTTONS") {
      const buttons = (part.buttons as Array<Record<string, unknown>>) ?? [];
      for (const [i, button] of buttons.entries()) {
        if (button.type === "URL" && placeholders(button.url) > 0) {
          const p = given("button", String(i))?.parameters ?? [];
          if (p.length !== 1 || p[0]?.type !== "text") return { code: 132000, details: `button ${i}: expected a URL suffix` };
        }
      }
    }
  }
  return null;
}

type StatusKind = "sent" | "delivered" | "read";
const AUTO_STATUSES: StatusKind[] = ["sent", "delivered", "read"];
/** Tries of one status delivery before the fake gives up on it (Meta keeps trying for a day). */
const STATUS_DELIVERY_ATTEMPTS = 8;

interface ScheduledStatus {
  due: number;
  waMessageId: string;
  /** Index into AUTO_STATUSES */
  stage: number;
  attempt: number;
}

/** Scheduled status deliveries, earliest first (a binary heap on `due`). */
class StatusSchedule {
  private readonly heap: ScheduledStatus[] = [];

  get size() {
    return this.heap.length;
  }

  peek(): ScheduledStatus | undefined {
    return this.heap[0];
  }

  clear() {
    this.heap.length = 0;
  }

  push(item: ScheduledStatus) {
    const heap = this.heap;
    heap.push(item);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (heap[parent].due <= heap[i].due) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  pop(): ScheduledStatus | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && heap[left].due < heap[smallest].due) smallest = left;
        if (right < heap.length && heap[right].due < heap[smallest].due) smallest = right;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
        i = smallest;
      }
    }
    return top;
  }
}

/** One Graph API request, read in full, for a route added with FakeWhatsApp.addRoute(). */
export interface GraphRequest {
  method: string;
  url: URL;
  /** The path after the version: ["{waba-id}", "message_templates"] */
  path: string[];
  /** The bearer token, "" when none was sent */
  token: string;
  authorization: string | undefined;
  body: Buffer;
}

/** Answers a request it knows (any status), or null to let the next route try. */
export type GraphRoute = (request: GraphRequest) => GraphAnswer | null | Promise<GraphAnswer | null>;

export class FakeWhatsApp {
  readonly accepted: AcceptedMessage[] = [];
  private readonly acceptedById = new Map<string, AcceptedMessage>();
  /** Every send request, accepted or not (to bound retries) */
  readonly attempts: Array<{ callbackData: string | null; outcome: string }> = [];
  /** Every webhook POST and the app's answer; automatic statuses also say which and how late */
  readonly webhookDeliveries: Array<{ status: number; body: unknown; statusKind?: StatusKind; msAfterAccepted?: number }> = [];
  private server!: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly queued: Fault[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private readonly templates: Record<string, FakeTemplate[]>;
  private holding = false;
  private readonly held: Array<() => void> = [];
  private readonly heldCallbacks: Array<string | null> = [];
  private holdingAnswers = false;
  private readonly heldAnswers: Array<() => void> = [];
  private readonly statuses = new StatusSchedule();
  private statusesInFlight = 0;
  private statusTimer: NodeJS.Timeout | undefined;
  private statusTimerDue = Infinity;
  private statusAgent: http.Agent | undefined;
  private closing = false;
  /** Routes added by the fake's other parts (signup, template review, ...), tried first in order */
  private readonly routes: GraphRoute[] = [];
  /** Non-Graph pages (the Embedded Signup stand-in's SDK and popup), tried before the Graph paths */
  private readonly pages: GraphRoute[] = [];
  /** Embedded Signup: code exchange, subscriptions, registrations, the popup stand-in */
  readonly signup: FakeSignup;
  origin = "";
  /** How WhatsApp names each user (wa_id, BSUID, username): identities.ts */
  private readonly identities = new FakeIdentities();
  /** The Meta app this fake stands for: its secret signs every webhook the fake sends. */
  readonly appSecret: string;
  readonly appId: string;
  /** Template creation, edits and Meta's review of them (template-review.ts) */
  readonly review: TemplateReview;
  /** Messaging limit, quality, account restrictions and their webhooks (account-signals.ts) */
  readonly signals: AccountSignals;

  constructor(private readonly options: FakeWhatsAppOptions) {
    this.addRoute((this.signals = new AccountSignals(options.numbers, (payload) => this.deliver(payload))).route);
    this.appSecret = options.appSecret || process.env.WHATSAPP_APP_SECRET || randomBytes(16).toString("hex");
    this.appId = options.appId || process.env.WHATSAPP_APP_ID || String(100_000_000_000_000 + (randomBytes(4).readUInt32BE() % 900_000_000_000));
    this.signup = registerSignup(this, options.numbers);
    this.templates = Object.fromEntries(
      Object.entries(options.templates ?? {}).map(([waba, list]) => [
        waba,
        list.map((t, i) => ({ id: t.id ?? String(900000 + i), status: "APPROVED", ...t })),
      ]),
    );
    this.review = new TemplateReview({ templates: this.templates, numbers: options.numbers, envelope: (...a) => this.envelope(...a), deliver: (p) => this.deliver(p) });
    this.addRoute(this.review.route);
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.route(req, res));
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Status deliveries not yet started are dropped; those in flight finish first. */
  async close() {
    this.closing = true;
    this.releaseAnswers();
    this.statuses.clear();
    clearTimeout(this.statusTimer);
    await this.settle();
    this.statusAgent?.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next send requests fail with these, in order. */
  injectFaults(...faults: Fault[]) {
    this.queued.push(...faults);
  }

  /** Send requests from now on wait, unanswered and not accepted, until releaseHeld(). */
  hold() {
    this.holding = true;
  }

  get heldCount() {
    return this.held.length;
  }

  /** The callback data (the app's notification id) of each held send request */
  get heldCallbackData(): Array<string | null> {
    return [...this.heldCallbacks];
  }

  /** Lets held requests through; those whose client went away (a killed worker) are dropped. */
  releaseHeld() {
    this.holding = false;
    this.heldCallbacks.splice(0);
    for (const resume of this.held.splice(0)) resume();
  }

  /**
   * Send requests from now on are accepted (and reported by status webhooks) but not answered
   * until releaseAnswers(): the message is sent, and the answer has not reached the sender yet.
   */
  holdAnswers() {
    this.holdingAnswers = true;
  }

  get heldAnswerCount() {
    return this.heldAnswers.length;
  }

  /** Sends the held answers; those whose client went away (a killed worker) reach nobody. */
  releaseAnswers() {
    this.holdingAnswers = false;
    for (const resume of this.heldAnswers.splice(0)) resume();
  }

  setFaultRate(rate: number, kinds?: Fault[]) {
    this.options.faultRate = rate;
    if (kinds) this.options.faultKinds = kinds;
  }

  /** Adds a page outside the Graph API's versioned paths; its path is every segment. */
  addPage(page: GraphRoute) {
    this.pages.push(page);
  }

  /** Adds endpoints to the fake: tried before the built-in ones, in the order added. */
  addRoute(route: GraphRoute) {
    this.routes.push(route);
  }

  /**
   * How WhatsApp names the user of a number from now on: a wa_id other than its digits (Brazil),
   * a business-scoped user id, a username (their number then left out of what they send).
   */
  setIdentity(phone: string, identity: FakeIdentity) {
    this.identities.set(phone, identity);
  }

  setWebhookUrl(url: string) {
    this.options.webhookUrl = url;
  }

  /** Adds a phone number (and its account's templates) after start. */
  addNumber(number: FakeNumber, templates: FakeTemplate[] = []) {
    this.options.numbers.push(number);
    this.templates[number.wabaId] = templates.map((t, i) => ({ id: t.id ?? String(910000 + i), status: "APPROVED", ...t }));
  }

  /** Changes a stored template the way WhatsApp Manager or Meta's review would (no webhook sent). */
  updateTemplate(wabaId: string, name: string, language: string, patch: Partial<FakeTemplate>) {
    const template = (this.templates[wabaId] ?? []).find((t) => t.name === name && t.language === language);
    if (!template) throw new Error(`no template ${name} (${language})`);
    Object.assign(template, patch);
  }

  /** Accepted messages per callback data (our notification id): >1 is a duplicate. */
  acceptedCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of this.accepted) counts.set(m.callbackData ?? m.id, (counts.get(m.callbackData ?? m.id) ?? 0) + 1);
    return counts;
  }

  /** Waits until webhooks already scheduled (automatic statuses included) have been delivered. */
  async settle() {
    while (this.pending.size > 0 || this.statuses.size > 0 || this.statusesInFlight > 0) {
      if (this.pending.size > 0) await Promise.allSettled([...this.pending]);
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private number(phoneNumberId: string) {
    return this.options.numbers.find((n) => n.phoneNumberId === phoneNumberId);
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", this.origin);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const parts = url.pathname.split("/").filter(Boolean);
    const raw = { method: req.method ?? "GET", url, path: parts, token: "", authorization: req.headers.authorization, body: Buffer.concat(chunks) };
    for (const page of this.pages) {
      const answer = await page(raw);
      if (!answer) continue;
      res.writeHead(answer.status, { "Content-Type": answer.contentType ?? "application/json", ...answer.headers });
      return res.end(answer.contentType ? String(answer.body) : JSON.stringify(answer.body));
    }
    if (parts.length < 2 || parts.length > 3 || !/^v\d+\.\d+$/.test(parts[0])) return send(404, graphError(100, "unknown path").body);
    const request: GraphRequest = {
      method: req.method ?? "GET",
      url,
      path: parts.slice(1),
      token: (req.headers.authorization ?? "").replace(/^Bearer /, ""),
      authorization: req.headers.authorization,
      body: Buffer.concat(chunks),
    };
    for (const route of this.routes) {
      const answer = await route(request);
      if (answer) return send(answer.status, answer.body);
    }
    if (req.method === "GET") {
      const answer = answerBusinessManagement(this.options.numbers, url, req.headers.authorization);
      if (answer) return send(answer.status, answer.body);
    }
    const [, node, edge] = parts;
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");

    if (req.method === "GET" && edge === "message_templates") {
      const owner = this.options.numbers.find((n) => n.wabaId === node);
      if (!owner || !holds(owner, token)) return send(401, graphError(190).body);
      const list = this.templates[node] ?? [];
      const limit = Number(url.searchParams.get("limit") ?? 25);
      const after = Number(url.searchParams.get("after") ?? 0);
      const page = list.slice(after, after + limit);
      const next = after + limit < list.length ? `https://graph.facebook.com${url.pathname}?limit=${limit}&after=${after + limit}` : undefined;
      return send(200, { data: page, paging: { cursors: { before: String(after), after: String(after + limit) }, ...(next ? { next } : {}) } });
    }

    if (req.method === "POST" && (edge === "messages" || edge === "marketing_messages")) {
      return this.handleSend(node, edge, token, Buffer.concat(chunks), res, send);
    }
    return send(404, graphError(100, "unsupported request").body);
  }

  private nextFault(): Fault | null {
    if (this.queued.length > 0) return this.queued.shift()!;
    const rate = this.options.faultRate ?? 0;
    const random = this.options.random ?? Math.random;
    if (rate > 0 && random() < rate) {
      const kinds = this.options.faultKinds ?? ["http_500", "timeout", 130429];
      return kinds[Math.floor(random() * kinds.length)];
    }
    return null;
  }

  private async handleSend(
    phoneNumberId: string,
    edge: "messages" | "marketing_messages",
    token: string,
    raw: Buffer,
    res: http.ServerResponse,
    send: (status: number, body: unknown) => void,
  ) {
    if (this.holding) {
      this.heldCallbacks.push(callbackDataOf(raw));
      await new Promise<void>((resume) => this.held.push(resume));
      if (res.destroyed || res.socket?.destroyed) {
        this.attempts.push({ callbackData: null, outcome: "abandoned" });
        return;
      }
    }
    const number = this.number(phoneNumberId);
    let body: SendRequest;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      return send(400, graphError(100, "body is not JSON").body);
    }
    const callbackData = typeof body.biz_opaque_callback_data === "string" ? body.biz_opaque_callback_data : null;
    const attempt = (outcome: string) => this.attempts.push({ callbackData, outcome });
    if (!number || !holds(number, token)) {
      attempt("190");
      const e = graphError(190);
      return send(e.status, e.body);
    }
    const fault = this.nextFault();
    if (fault === "timeout") {
      // Hold the request without accepting it; the client gives up. The socket is freed on close.
      attempt("timeout");
      return;
    }
    if (fault === "reset") {
      attempt("reset");
      res.socket?.destroy();
      return;
    }
    if (fault === "http_500") {
      attempt("http_500");
      return send(500, { error: { message: "An unknown error has occurred.", type: "OAuthException", code: 1, fbtrace_id: "x" } });
    }
    if (typeof fault === "number") {
      attempt(String(fault));
      const e = graphError(fault);
      return send(e.status, e.body);
    }

    if (body.messaging_product !== "whatsapp" || typeof body.to !== "string" || body.type !== "template") {
      attempt("100");
      return send(400, graphError(100, "messaging_product, to and type=template are required").body);
    }
    const name = body.template?.name;
    const language = body.template?.language?.code;
    const template = (this.templates[number.wabaId] ?? []).find((t) => t.name === name && t.language === language);
    if (!template || template.status !== "APPROVED") {
      attempt("132001");
      const e = graphError(132001, `template ${name} (${language}) does not exist or is not approved`);
      return send(e.status, e.body);
    }
    if (edge === "marketing_messages" && template.category !== "MARKETING") {
      attempt("100");
      return send(400, graphError(100, "the Marketing Messages API only sends MARKETING templates").body);
    }
    const components = Array.isArray(body.template?.components) ? (body.template.components as Array<Record<string, unknown>>) : [];
    const mismatch = checkParameters(template, components);
    if (mismatch) {
      attempt(String(mismatch.code));
      const e = graphError(mismatch.code, mismatch.details);
      return send(e.status, e.body);
    }
    const id = `wamid.${randomBytes(18).toString("base64url")}`;
    const to = String(body.to);
    const message: AcceptedMessage = { id, phoneNumberId, edge, to, template: template.name, language: template.language, components, callbackData, at: new Date() };
    this.accepted.push(message);
    this.acceptedById.set(id, message);
    attempt("accepted");
    // The message is WhatsApp's now: its statuses follow whether or not the answer gets through.
    if (this.options.autoStatuses && this.options.webhookUrl && !this.closing) {
      this.scheduleStatus({ due: Date.now() + (this.options.statusDelayMs ?? 20), waMessageId: id, stage: 0, attempt: 1 });
    }
    if (this.holdingAnswers) await new Promise<void>((resume) => this.heldAnswers.push(resume));
    if (res.destroyed || res.socket?.destroyed) return;
    send(200, { messaging_product: "whatsapp", contacts: [{ input: to, wa_id: this.identities.of(to).waId }], messages: [{ id }] });
  }

  private scheduleStatus(item: ScheduledStatus) {
    this.statuses.push(item);
    this.pumpStatuses();
  }

  /** Starts the due status deliveries the concurrency allows; wakes up again for the next one due. */
  private pumpStatuses() {
    const limit = this.options.statusConcurrency ?? 16;
    const now = Date.now();
    while (this.statusesInFlight < limit && (this.statuses.peek()?.due ?? Infinity) <= now) {
      const item = this.statuses.pop()!;
      this.statusesInFlight++;
      void this.deliverStatus(item).finally(() => {
        this.statusesInFlight--;
        this.pumpStatuses();
      });
    }
    const next = this.statuses.peek()?.due;
    if (next === undefined || this.statusesInFlight >= limit || next >= this.statusTimerDue) return;
    clearTimeout(this.statusTimer);
    this.statusTimerDue = next;
    this.statusTimer = setTimeout(() => {
      this.statusTimerDue = Infinity;
      this.pumpStatuses();
    }, next - now);
  }

  /** One status, one POST (kept-alive connection); the next status follows once it is taken. */
  private async deliverStatus(item: ScheduledStatus) {
    const url = this.options.webhookUrl;
    if (!url || this.closing) return;
    const body = JSON.stringify(this.statusPayload(item.waMessageId, AUTO_STATUSES[item.stage]));
    const headers = {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(body)),
      "User-Agent": "facebookexternalua",
      "X-Hub-Signature-256": `sha256=${createHmac("sha256", this.appSecret).update(body).digest("hex")}`,
    };
    this.statusAgent ??= new http.Agent({ keepAlive: true, maxSockets: this.options.statusConcurrency ?? 16 });
    const answer = await new Promise<{ status: number; body: unknown }>((resolve) => {
      const request = http.request(url, { method: "POST", headers, agent: this.statusAgent }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          } catch {
            // not JSON
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
        response.on("error", () => resolve({ status: 0, body: null }));
      });
      request.on("error", () => resolve({ status: 0, body: null }));
      // Unanswered for this long is a failed delivery, tried again like any other.
      request.setTimeout(30_000, () => request.destroy());
      request.end(body);
    });
    const accepted = this.acceptedById.get(item.waMessageId)?.at.getTime() ?? Date.now();
    this.webhookDeliveries.push({ ...answer, statusKind: AUTO_STATUSES[item.stage], msAfterAccepted: Date.now() - accepted });
    if (this.closing) return;
    const delay = this.options.statusDelayMs ?? 20;
    if (answer.status === 200) {
      if (item.stage + 1 < AUTO_STATUSES.length) this.scheduleStatus({ due: Date.now() + delay, waMessageId: item.waMessageId, stage: item.stage + 1, attempt: 1 });
    } else if (item.attempt < STATUS_DELIVERY_ATTEMPTS) {
      // Meta retries a delivery that was not answered 200, with increasing delays.
      this.scheduleStatus({ ...item, due: Date.now() + Math.min(30_000, 250 * 2 ** (item.attempt - 1)), attempt: item.attempt + 1 });
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise)).catch(() => {});
    return promise;
  }

  /** POSTs a notification to the app's webhook the way Meta does, signed with the app secret. */
  async deliver(payload: unknown, options: { signature?: string | null; rawBody?: string } = {}) {
    if (!this.options.webhookUrl) throw new Error("webhookUrl is not set");
    const body = options.rawBody ?? JSON.stringify(payload);
    const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": "facebookexternalua" };
    const signature =
      options.signature === undefined
        ? `sha256=${createHmac("sha256", this.appSecret).update(body).digest("hex")}`
        : options.signature;
    if (signature !== null) headers["X-Hub-Signature-256"] = signature;
    const response = await this.track(fetch(this.options.webhookUrl, { method: "POST", headers, body }));
    const answer = await response.json().catch(() => null);
    this.webhookDeliveries.push({ status: response.status, body: answer });
    return response;
  }

  envelope(wabaId: string, field: string, value: Record<string, unknown>) {
    return {
      object: "whatsapp_business_account",
      entry: [{ id: wabaId, time: Math.floor(Date.now() / 1000), changes: [{ field, value }] }],
    };
  }

  private messagesValue(number: FakeNumber, extra: Record<string, unknown>) {
    return {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: number.displayPhoneNumber ?? "15550000000", phone_number_id: number.phoneNumberId },
      ...extra,
    };
  }

  /** A status update for an accepted message (sent, delivered, read, or failed with errors). */
  statusPayload(waMessageId: string, status: "sent" | "delivered" | "read" | "failed", error?: { code: number; title?: string; details?: string }) {
    const message = this.acceptedById.get(waMessageId);
    if (!message) throw new Error(`unknown message ${waMessageId}`);
    const number = this.number(message.phoneNumberId)!;
    const statusObject: Record<string, unknown> = {
      id: waMessageId,
      status,
      timestamp: String(Math.floor(Date.now() / 1000)),
      ...this.identities.statusRecipient(message.to),
      ...(message.callbackData ? { biz_opaque_callback_data: message.callbackData } : {}),
    };
    if (status !== "failed") {
      statusObject.pricing = { billable: true, pricing_model: "PMP", category: "marketing", type: "regular" };
    } else {
      const known = ERRORS[error?.code ?? 131026];
      statusObject.errors = [
        {
          code: error?.code ?? 131026,
          title: error?.title ?? known?.title ?? "Error",
          message: error?.title ?? known?.title ?? "Error",
          error_data: { details: error?.details ?? known?.details ?? "" },
        },
      ];
    }
    return this.envelope(number.wabaId, "messages", this.messagesValue(number, { statuses: [statusObject] }));
  }

  sendStatus(waMessageId: string, status: "sent" | "delivered" | "read" | "failed", error?: { code: number; title?: string; details?: string }) {
    return this.deliver(this.statusPayload(waMessageId, status, error));
  }

  /** A shopper's reply: text, or a tap on a quick-reply button of a template. */
  sendInbound(phoneNumberId: string, from: string, reply: InboundReply) {
    return this.deliver(this.inboundPayload(phoneNumberId, from, reply));
  }

  /** The notification Meta sends for a shopper's reply; deliver() it again to play Meta's retry. */
  inboundPayload(phoneNumberId: string, from: string, reply: InboundReply) {
    const number = this.number(phoneNumberId);
    if (!number) throw new Error(`unknown number ${phoneNumberId}`);
    const sender = this.identities.messageSender(from);
    const message: Record<string, unknown> = {
      ...sender.message,
      id: `wamid.${randomBytes(18).toString("base64url")}`,
      timestamp: String(Math.floor(Date.now() / 1000)),
    };
    if ("text" in reply) Object.assign(message, { type: "text", text: { body: reply.text } });
    else Object.assign(message, { type: "button", button: { payload: reply.buttonPayload, text: reply.buttonText } });
    return this.envelope(number.wabaId, "messages", this.messagesValue(number, { contacts: [sender.contact], messages: [message] }));
  }

  /**
   * user_preferences: the user of `phone` stopped or resumed marketing messages inside WhatsApp.
   * Named by wa_id and, when they have one, BSUID (only the BSUID for a username user).
   * deliver() the payload again to play Meta's retry.
   */
  userPreferencesPayload(phoneNumberId: string, phone: string, value: "stop" | "resume", at: Date = new Date()) {
    const number = this.number(phoneNumberId);
    if (!number) throw new Error(`unknown number ${phoneNumberId}`);
    const preference = this.identities.preferenceValue(phone, value, Math.floor(at.getTime() / 1000));
    return this.envelope(number.wabaId, "user_preferences", this.messagesValue(number, preference));
  }

  sendUserPreference(phoneNumberId: string, phone: string, value: "stop" | "resume", at?: Date) {
    return this.deliver(this.userPreferencesPayload(phoneNumberId, phone, value, at));
  }

  /** message_template_status_update (APPROVED, REJECTED, PAUSED, DISABLED, ...). */
  sendTemplateStatus(wabaId: string, name: string, language: string, event: string, reason = "NONE") {
    const template = (this.templates[wabaId] ?? []).find((t) => t.name === name && t.language === language);
    if (template) template.status = event === "REINSTATED" ? "APPROVED" : event;
    return this.deliver(
      this.envelope(wabaId, "message_template_status_update", {
        event,
        message_template_id: Number(template?.id ?? 1),
        message_template_name: name,
        message_template_language: language,
        reason,
      }),
    );
  }

  /** template_category_update after Meta recategorised an approved template. */
  sendTemplateCategory(wabaId: string, name: string, language: string, newCategory: FakeTemplate["category"]) {
    const template = (this.templates[wabaId] ?? []).find((t) => t.name === name && t.language === language);
    const previous = template?.category ?? "UTILITY";
    if (template) template.category = newCategory;
    return this.deliver(
      this.envelope(wabaId, "template_category_update", {
        message_template_id: Number(template?.id ?? 1),
        message_template_name: name,
        message_template_language: language,
        previous_category: previous,
        new_category: newCategory,
      }),
    );
  }
}

type InboundReply = { text: string } | { buttonPayload: string; buttonText: string };

function callbackDataOf(raw: Buffer): string | null {
  try {
    const data = (JSON.parse(raw.toString("utf8")) as { biz_opaque_callback_data?: unknown }).biz_opaque_callback_data;
    return typeof data === "string" ? data : null;
  } catch {
    return null;
  }
}

export async function startFakeWhatsApp(options: FakeWhatsAppOptions): Promise<FakeWhatsApp> {
  return new FakeWhatsApp(options).start();
}
