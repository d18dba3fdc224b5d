/**
 * `npx tsx bench/status-webhooks.ts [--messages=3000] [--connections=32]`: how many WhatsApp
 * status webhooks per second the server (own process, PostgreSQL; bench/app-process.ts) takes, and
 * the CPU it and its PostgreSQL sessions spend per status. Meta sends three statuses per message
 * (sent, delivered, read), each its own signed POST; these arrive as sent for every message, then
 * delivered, then read, from `connections` kept-alive connections. The last line is
 * `STATUSES {json}`.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { reachablePostgres } from "../scripts/reachable-postgres";
import { snapshotBuild } from "../scripts/build-snapshot";
import { startHarness, WHATSAPP_APP_SECRET } from "../tests/chaos/harness";
import { seedDue, seedSubscribers } from "./seed";

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const MESSAGES = Number(option("messages") ?? 3000);
const CONNECTIONS = Number(option("connections") ?? 32);

/** User plus system CPU seconds of a process, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function statusBody(phoneNumberId: string, wabaId: string, id: string, status: string) {
  const time = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: wabaId,
        time,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550000000", phone_number_id: phoneNumberId },
              statuses: [
                {
                  id: `wamid.${id}`,
                  status,
                  timestamp: String(time),
                  recipient_id: "34600000000",
                  biz_opaque_callback_data: id,
                  pricing: { billable: true, pricing_model: "PMP", category: "utility", type: "regular" },
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

async function main() {
  const baseUrl = await reachablePostgres();
  if (!baseUrl) {
    console.log(`STATUSES ${JSON.stringify({ skipped: "postgresql unreachable" })}`);
    return;
  }
  const snapshot = snapshotBuild("status-bench");
  const h = await startHarness(baseUrl, snapshot.root);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    const shop = { shop: "statuses.myshopify.com", phoneNumberId: "7101", wabaId: "7201", token: "token-statuses", messagesPerSecond: 1000 };
    await h.addShop(shop);
    await seedSubscribers(h.app, shop.shop, "s", MESSAGES, 5_000_000);
    await seedDue(h.app, shop.shop, "s", MESSAGES);
    // As if the dispatcher had sent them all.
    await h.sql(`UPDATE "Notification" SET status = 'sent', "waMessageId" = 'wamid.' || id, "sentAt" = now(), attempts = 1 WHERE shop = $1`, [shop.shop]);
    const bodies = ["sent", "delivered", "read"].flatMap((status) =>
      Array.from({ length: MESSAGES }, (_, i) => statusBody(shop.phoneNumberId, shop.wabaId, `s-${i + 1}-msg`, status)),
    );
    const url = new URL(`${h.url}/whatsapp/webhook`);
    const post = (body: string) =>
      new Promise<number>((resolve) => {
        const signature = `sha256=${createHmac("sha256", WHATSAPP_APP_SECRET).update(body).digest("hex")}`;
        const request = http.request(
          url,
          { method: "POST", agent, headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), "X-Hub-Signature-256": signature } },
          (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode ?? 0));
          },
        );
        request.on("error", () => resolve(0));
        request.end(body);
      });
    // Open the connections (and the server's pool) before measuring.
    await Promise.all(Array.from({ length: CONNECTIONS }, () => post(bodies[0])));

    const sessions = async () =>
      (await h.sql<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [h.appApplicationName])).map((r) => r.pid);
    const before = await sessions();
    const pgBefore = new Map(before.map((pid) => [pid, cpuSeconds(pid)]));
    const appPid = h.app.process.pid!;
    const appBefore = cpuSeconds(appPid);
    const started = Date.now();
    const latencies: number[] = [];
    let failed = 0;
    const queue = [...bodies];
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        for (let body = queue.shift(); body; body = queue.shift()) {
          const t0 = Date.now();
          if ((await post(body)) !== 200) failed++;
          latencies.push(Date.now() - t0);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const appCpu = cpuSeconds(appPid) - appBefore;
    const pgCpu = (await sessions()).reduce((sum, pid) => sum + cpuSeconds(pid) - (pgBefore.get(pid) ?? 0), 0);
    latencies.sort((a, b) => a - b);
    const [{ read, events }] = await h.sql<{ read: number; events: number }>(
      `SELECT count(*) FILTER (WHERE status = 'read')::int AS read,
              (SELECT count(*)::int FROM "NotificationEvent" WHERE shop = $1) AS events
         FROM "Notification" WHERE shop = $1`,
      [shop.shop],
    );
    const result = {
      statuses: bodies.length,
      connections: CONNECTIONS,
      per_second: Math.round(bodies.length / seconds),
      latency_ms: { p50: latencies[Math.floor(latencies.length / 2)], p99: latencies[Math.floor(latencies.length * 0.99)] },
      app_cpu_ms_per_status: +((appCpu * 1000) / bodies.length).toFixed(3),
      postgres_cpu_ms_per_status: +((pgCpu * 1000) / bodies.length).toFixed(3),
      not_200: failed,
      // Every message ends read; sent changes nothing (the rows are sent already), so two events each.
      read,
      events,
    };
    console.log(`STATUSES ${JSON.stringify(result)}`);
  } finally {
    agent.destroy();
    await h.close();
    snapshot.remove();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
