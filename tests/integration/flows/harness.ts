import type { Flow, Subscriber } from "@prisma/client";
import { afterAll, beforeAll } from "vitest";
import { startFakeShopifyAdmin, type FakeShopifyAdmin } from "../../fakes/shopify/admin";
import { DESKTOP_CHROME_UA } from "../../fakes/shopify/app-proxy";
import { embeddedQuery, signSessionToken } from "../../fakes/shopify/session-token";
import { sendWebhook } from "../../fakes/shopify/webhooks";
import { startFakeWhatsApp, type AcceptedMessage, type FakeTemplate, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { startTestServer, type TestServer } from "../../support/server";
import { seedShop } from "../outbox/fixtures";
import { waitForShop } from "../../support/wait";
import prisma from "../../../app/db.server";
import { useProcessClock } from "../../../app/shared/clock";

/**
 * One running app per test file for the flows end to end: its own database, the fake WhatsApp
 * Cloud API and fake Shopify Admin API, the server's own dispatcher, and a clock the test moves
 * forward so a flow's days-long delay passes in an instant.
 */
type Prisma = typeof import("../../../app/db.server").default;

export interface FlowHarnessOptions {
  shop: string;
  /** Approved in the fake WhatsApp and synced into the shop's templates */
  templates: FakeTemplate[];
  flows: Array<{ flow: Flow; config: Record<string, unknown>; holdoutPercent?: number }>;
  /** ShopSettings overrides on top of the outbox fixture's (no quiet hours) */
  settings?: Record<string, unknown>;
  /** The fake WhatsApp reports sent/delivered/read for each message (default true) */
  autoStatuses?: boolean;
}

export interface FlowClock {
  now(): Date;
  advance(ms: number): void;
}

export interface FlowHarness {
  shop: string;
  fake: FakeWhatsApp;
  admin: FakeShopifyAdmin;
  server: TestServer;
  prisma: Prisma;
  clock: FlowClock;
  /** A signed Shopify webhook of this shop */
  send(topic: string, payload: unknown): Promise<Response>;
  waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms?: number): Promise<T>;
  /** Resolves once every task the webhooks so far queued for this shop has run */
  tasksSettled(): Promise<void>;
  subscriber(phone: string, data?: Partial<Pick<Subscriber, "callingCode" | "scope" | "acceptsOffers" | "customerId">>): Promise<Subscriber>;
  /** The message the dispatcher handed to the fake WhatsApp for this notification */
  delivered(notificationId: string): Promise<AcceptedMessage>;
  /** GET /r/:token as the shopper's phone browser (or another user agent) */
  tapLink(token: string, userAgent?: string): Promise<Response>;
  /** An embedded admin request with a fresh session token, as App Bridge sends it */
  adminFetch(path: string, init?: { form?: Record<string, string>; document?: boolean }): Promise<Response>;
}

const WHATSAPP_APP_SECRET = "flows-e2e-whatsapp-secret";
const PHONE_NUMBER = { phoneNumberId: "7001", wabaId: "7101", accessToken: "token-flows" };

export const PHONE_BROWSER =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";

/** Starts the harness before the file's tests and stops it after; fields are set once started. */
export function useFlowHarness(options: FlowHarnessOptions): FlowHarness {
  const harness = {} as FlowHarness;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const started = await startFlowHarness(options);
    stop = started.stop;
    Object.assign(harness, started.harness);
  }, 180_000);
  afterAll(async () => {
    await stop?.();
  });
  return harness;
}

async function startFlowHarness(options: FlowHarnessOptions): Promise<{ harness: FlowHarness; stop(): Promise<void> }> {
  const { shop } = options;
  const fake = await startFakeWhatsApp({
    numbers: [PHONE_NUMBER],
    templates: { [PHONE_NUMBER.wabaId]: options.templates },
    appSecret: WHATSAPP_APP_SECRET,
    autoStatuses: options.autoStatuses ?? true,
    statusDelayMs: 20,
  });
  const adminToken = `shpat_${shop.split(".")[0].replace(/-/g, "_")}`;
  const admin = await startFakeShopifyAdmin();
  admin.store.seedShop({ domain: shop, accessToken: adminToken });

  // Wall time plus a jump the test controls, never behind the wall: tasks the database stamps
  // with its own time stay due, and the delay before a message passes in an instant.
  let offset = 0;
  const clock: FlowClock = {
    now: () => new Date(Date.now() + offset),
    advance: (ms: number) => {
      if (ms < 0) throw new Error("the flows clock only moves forward");
      offset += ms;
    },
  };
  useProcessClock(clock);

  const server = await startTestServer({
    DISPATCHER: "on",
    WHATSAPP_API_ORIGIN: fake.origin,
    WHATSAPP_APP_SECRET: WHATSAPP_APP_SECRET,
    SHOPIFY_ADMIN_API_ORIGIN: admin.origin,
  });
  fake.setWebhookUrl(`${server.url}/whatsapp/webhook`);

  await seedShop(
    prisma,
    { shop, phoneNumberId: PHONE_NUMBER.phoneNumberId, wabaId: PHONE_NUMBER.wabaId, token: PHONE_NUMBER.accessToken },
    { marketingCapPerDay: 5, marketingCapPerWeek: 10, ...options.settings },
  );
  await prisma.session.create({
    data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: adminToken, scope: "write_discounts" },
  });
  for (const t of options.templates) {
    await prisma.messageTemplate.create({
      data: { shop, name: t.name, language: t.language, category: t.category, status: "APPROVED", components: t.components as object[] },
    });
  }
  await prisma.flowSetting.createMany({
    data: options.flows.map((f) => ({ shop, flow: f.flow, enabled: true, holdoutPercent: f.holdoutPercent ?? 0, config: f.config as object })),
  });

  const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false>, ms?: number) =>
    waitForShop(prisma, shop, what, probe, ms);

  const harness: FlowHarness = {
    shop,
    fake,
    admin,
    server,
    prisma,
    clock,
    send: (topic, payload) => sendWebhook(server.url, server.secret, { topic, shop, payload, triggeredAt: clock.now() }),
    waitFor,
    async tasksSettled() {
      await waitFor("the queued tasks to run", async () => {
        const due = { shop, status: { in: ["queued" as const, "running" as const] }, runAt: { lte: clock.now() } };
        const [open, failed] = await Promise.all([
          prisma.task.count({ where: due }),
          prisma.task.findMany({ where: { shop, status: "failed" }, select: { kind: true, lastError: true } }),
        ]);
        if (failed.length) throw new Error(`tasks failed: ${JSON.stringify(failed)}`);
        return open === 0;
      });
    },
    subscriber: (phone, data = {}) =>
      prisma.subscriber.create({
        data: { shop, phone, callingCode: data.callingCode ?? "34", status: "subscribed", scope: data.scope ?? "marketing", ...data },
      }),
    delivered: (notificationId) =>
      waitFor(`message ${notificationId} at the fake WhatsApp`, async () => fake.accepted.find((m) => m.callbackData === notificationId)),
    tapLink: (token, userAgent = PHONE_BROWSER) =>
      fetch(`${server.url}/r/${token}`, { redirect: "manual", headers: { "User-Agent": userAgent } }),
    adminFetch(path, init = {}) {
      const token = signSessionToken({ shop, apiKey: server.apiKey, secret: server.secret });
      const headers: Record<string, string> = { "user-agent": DESKTOP_CHROME_UA };
      headers.authorization = `Bearer ${token}`;
      // A page load inside the admin also carries the embedded query (shop, host, id_token).
      const url = init.document ? `${server.url}${path}${path.includes("?") ? "&" : "?"}${embeddedQuery(shop, token)}` : `${server.url}${path}`;
      if (init.form) headers["content-type"] = "application/x-www-form-urlencoded";
      return fetch(url, {
        method: init.form ? "POST" : "GET",
        headers,
        body: init.form ? new URLSearchParams(init.form) : undefined,
        redirect: "manual",
      });
    },
  };

  return {
    harness,
    async stop() {
      // The fake first: a status webhook still arriving while the server closes its database
      // would leave a transaction open, and dropping the test schema would wait on it forever.
      await fake.settle();
      await fake.close();
      await server.stop();
      await admin.close();
      useProcessClock({ now: () => new Date() });
    },
  };
}

/** A marketing template with body placeholders and a URL button to the app's /r/{{1}}. */
export function marketingTemplate(name: string, body: string, category: FakeTemplate["category"] = "MARKETING"): FakeTemplate {
  return {
    name,
    language: "en",
    category,
    components: [
      { type: "BODY", text: body },
      { type: "BUTTONS", buttons: [{ type: "URL", text: "Open", url: "https://rebound.example/r/{{1}}" }] },
    ],
  };
}

export function bodyTexts(message: AcceptedMessage): string[] {
  const body = message.components.find((c) => c.type === "body") as { parameters: Array<{ text: string }> } | undefined;
  return body?.parameters.map((p) => p.text) ?? [];
}

/** The URL button's suffix: the tracked link's token */
export function linkToken(message: AcceptedMessage): string {
  const button = message.components.find((c) => c.type === "button" && String(c.sub_type).toLowerCase() === "url") as
    | { parameters: Array<{ text: string }> }
    | undefined;
  if (!button) throw new Error(`message ${message.id} has no URL button`);
  return button.parameters[0].text;
}

export function utmOf(location: URL) {
  return Object.fromEntries(["utm_source", "utm_medium", "utm_campaign", "utm_content"].map((k) => [k, location.searchParams.get(k)]));
}

/** Wall time is the floor of the harness clock, so this range covers everything a test did. */
export function rangeAround(clock: FlowClock) {
  return { from: new Date(Date.now() - 86_400_000), to: new Date(clock.now().getTime() + 86_400_000) };
}
