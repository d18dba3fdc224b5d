import type http from "node:http";
import { createAppTaskRegistry, startBackgroundWork, type BackgroundWork } from "../app/background.server";
import prisma from "../app/db.server";
import { env } from "../app/env.server";
import { createDispatcher } from "../app/engine.server";
import { acceleratedClock, manualClock, useProcessClock } from "../app/shared/clock";
import { runDueTasks } from "../app/tasks/runner.server";
import { closeDatabase, startServer, type RunningServer } from "../server/app-server";
import { sourceServerBuild } from "../tests/support/source-build";
import { appBridgeStandIn } from "../tests/fakes/shopify/app-bridge";
import type { FakeShopifyAdmin } from "../tests/fakes/shopify/admin";
import { signSessionToken } from "../tests/fakes/shopify/session-token";
import type { FakeWhatsApp } from "../tests/fakes/whatsapp/server";
import { startAdminProxy } from "./admin-proxy";
import type { SandboxFakes } from "./fakes";
import { DEMO_SHOP, DEMO_SHOP_NAME } from "./store";

/** Monday 09:00 in the shop's zone (Europe/Madrid is UTC+1 in late November). */
export const WEEK_START = new Date("2026-11-23T08:00:00Z");

export interface SandboxServices {
  shop: string;
  shopName: string;
  accessToken: string;
  appUrl: string;
  apiKey: string;
  secret: string;
  clock: ReturnType<typeof manualClock>;
  shopify: FakeShopifyAdmin;
  whatsapp: FakeWhatsApp;
  app: RunningServer;
  /** Runs deferred tasks and the dispatcher until nothing is due at the simulated now */
  drain(): Promise<{ tasks: number; messages: number }>;
  /** After the scenario: background work in real time, for a merchant browsing the admin */
  startLiveWork(): void;
  close(): Promise<void>;
}

export async function startSandboxServices(options: { adminPort: number; fakes: SandboxFakes }): Promise<SandboxServices> {
  const { accessToken, shopify, whatsapp } = options.fakes;
  const clock = manualClock(WEEK_START);
  useProcessClock(clock);

  const app = await startServer({ build: sourceServerBuild(), port: 0, host: "127.0.0.1", background: false });
  whatsapp.setWebhookUrl(`${app.url}/whatsapp/webhook`);
  const { SHOPIFY_API_KEY: apiKey, SHOPIFY_API_SECRET: secret } = env();

  const standIn = `(() => {
  const plainFetch = window.fetch.bind(window);
  window.__reboundIdToken = () => plainFetch("/sandbox/session-token").then((r) => r.text());
})();
${appBridgeStandIn}`;
  const proxy: http.Server = await startAdminProxy({
    port: options.adminPort,
    appOrigin: app.url,
    sessionToken: () => signSessionToken({ shop: DEMO_SHOP, apiKey, secret }),
    files: {
      "/sandbox/app-bridge.js": () => ({ type: "text/javascript", body: standIn }),
      "/sandbox/session-token": () => ({ type: "text/plain", body: signSessionToken({ shop: DEMO_SHOP, apiKey, secret }) }),
    },
  });

  const dispatcher = createDispatcher({ clock, owner: "sandbox-dispatcher", retryBaseMs: 60_000 });
  let live: BackgroundWork | undefined;
  const taskRegistry = createAppTaskRegistry();

  async function drain() {
    let tasks = 0;
    let messages = 0;
    for (let round = 0; round < 200; round++) {
      const ranTasks = await runDueTasks("sandbox-tasks", taskRegistry, { clock });
      const claimed = await dispatcher.runOnce();
      await whatsapp.settle();
      tasks += ranTasks;
      messages += claimed;
      if (ranTasks === 0 && claimed === 0) break;
    }
    return { tasks, messages };
  }

  return {
    shop: DEMO_SHOP,
    shopName: DEMO_SHOP_NAME,
    accessToken,
    appUrl: app.url,
    apiKey,
    secret,
    clock,
    shopify,
    whatsapp,
    app,
    drain,
    startLiveWork() {
      useProcessClock(acceleratedClock(clock.now(), 1));
      live = startBackgroundWork();
    },
    async close() {
      await live?.stop();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      proxy.closeAllConnections();
      await app.close();
      await whatsapp.close();
      await shopify.close();
      await prisma.$disconnect();
      await closeDatabase();
    },
  };
}
