/**
 * The webhook load generator, forked by bench/run.ts so it does not share an event loop with the
 * server it measures. Keeps `connections` requests in flight over a keep-alive agent with that
 * many sockets, each a freshly signed carts/update or inventory_levels/update delivery (new
 * event id every time, so every one is a real write, never a duplicate).
 */
import http from "node:http";
import { cartPayload, cartToken, inventoryLevelPayload } from "../tests/fakes/shopify/payloads";
import { webhookPath, webhookRequest } from "../tests/fakes/shopify/webhooks";
import { serveCommands } from "./child";

export interface LoadArgs {
  url: string;
  secret: string;
  shop: string;
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** Seeded catalogue the payloads refer to */
  items: Array<{ variantId: number; productId: number; inventoryItemId: number }>;
}

export interface LoadResult {
  requests: number;
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

function delivery(args: LoadArgs, n: number) {
  const item = args.items[n % args.items.length];
  const now = new Date();
  if (n % 2 === 0) {
    return {
      topic: "carts/update",
      payload: cartPayload({
        token: cartToken(),
        lines: [{ variantId: item.variantId, productId: item.productId, title: "Linen shirt - M", quantity: 1 + (n % 3), price: "29.00" }],
        updatedAt: now,
      }),
    };
  }
  return {
    topic: "inventory_levels/update",
    // Never 0: the benchmark measures ingestion, not restock fan-outs.
    payload: inventoryLevelPayload({ inventoryItemId: item.inventoryItemId, locationId: 1 + (n % 4), available: 1 + (n % 40), updatedAt: now }),
  };
}

function post(agent: http.Agent, url: URL, path: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: "POST", agent, headers: { ...headers, "Content-Length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve(0));
      },
    );
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

async function run(args: LoadArgs): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: args.connections });
  const url = new URL(args.url);
  const started = performance.now();
  const measureFrom = started + args.warmupMs;
  const end = measureFrom + args.durationMs;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let n = 0;
  let ok = 0;
  let failed = 0;
  const loop = async () => {
    while (performance.now() < end) {
      const d = delivery(args, n++);
      const { body, headers } = webhookRequest({ topic: d.topic, shop: args.shop, payload: d.payload }, args.secret);
      const t0 = performance.now();
      const status = await post(agent, url, webhookPath(d.topic), headers, String(body));
      const t1 = performance.now();
      if (t0 < measureFrom || t1 > end) continue;
      latencies.push(t1 - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 200) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: args.connections }, loop));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
  return {
    requests: latencies.length,
    ok,
    failed,
    statuses,
    rps: ok / (args.durationMs / 1000),
    p50_ms: pick(0.5),
    p99_ms: pick(0.99),
    max_ms: latencies.at(-1) ?? NaN,
  };
}

serveCommands({ run: (args) => run(args as unknown as LoadArgs) });
