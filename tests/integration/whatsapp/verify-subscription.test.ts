import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../support/server";
import { seedShop } from "../outbox/fixtures";
import prisma, { replaceDatabase, type Database } from "../../../app/db.server";

/**
 * Meta's subscription check: GET /whatsapp/webhook?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…
 * must echo the challenge only for the verify token set on Rebound's Meta app.
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
 */
const VERIFY_TOKEN = "operator-chosen-verify-token";
const APP_SECRET = "meta-app-secret";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN });
});

afterAll(async () => {
  await server?.stop();
});

const check = (params: Record<string, string>) => fetch(`${server.url}/whatsapp/webhook?${new URLSearchParams(params)}`);
const subscribe = (token: string, challenge = "1158201444") => check({ "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": challenge });

/**
 * Runs `during` with a database whose every use throws, so any query would turn the answer into a
 * 500. The server runs this file's own copy of app/db.server.ts, so the stand-in is what it uses.
 */
async function withoutDatabase<T>(during: () => Promise<T>): Promise<{ result: T; touched: string[] }> {
  const touched: string[] = [];
  const refuse = (what: string) =>
    new Proxy({}, {
      get(_target, property) {
        touched.push(`${what}.${String(property)}`);
        throw new Error(`database used: ${what}.${String(property)}`);
      },
    });
  const restore = replaceDatabase({ prisma: refuse("prisma"), connection: refuse("connection"), ready: Promise.resolve([]) } as unknown as Database);
  try {
    return { result: await during(), touched };
  } finally {
    restore();
  }
}

describe("WhatsApp webhook subscription check", () => {
  it("echoes the challenge for the platform verify token, whether or not any shop is connected", async () => {
    expect(await prisma.whatsAppConnection.count()).toBe(0);
    const before = await subscribe(VERIFY_TOKEN);
    expect(before.status).toBe(200);
    expect(before.headers.get("content-type")).toContain("text/plain");
    expect(await before.text()).toBe("1158201444");

    await seedShop(prisma, { shop: "verify-a.myshopify.com", phoneNumberId: "3501", wabaId: "4501", token: "token-a" });
    await seedShop(prisma, { shop: "verify-b.myshopify.com", phoneNumberId: "3502", wabaId: "4502", token: "token-b" });
    const after = await subscribe(VERIFY_TOKEN, "42");
    expect([after.status, await after.text()]).toEqual([200, "42"]);
  });

  it("refuses a wrong, missing or empty token, and a request that is not a subscribe", async () => {
    const answers = await Promise.all([
      subscribe("guess"),
      subscribe(`${VERIFY_TOKEN}x`),
      subscribe(VERIFY_TOKEN.slice(0, -1)),
      subscribe(""),
      check({ "hub.mode": "subscribe", "hub.challenge": "1" }),
      check({ "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1" }),
      check({ "hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1" }),
      check({ "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 403, 403, 403, 403, 403]);
    for (const answer of answers) expect(await answer.text()).not.toContain("1");
  });

  it("reads no database: the same answers with the database unusable", async () => {
    const { result, touched } = await withoutDatabase(async () => {
      const right = await subscribe(VERIFY_TOKEN, "777");
      const wrong = await subscribe("guess", "777");
      return [right.status, await right.text(), wrong.status];
    });
    expect(touched).toEqual([]);
    expect(result).toEqual([200, "777", 403]);
    // The stand-in really refuses: a signed POST that must read the database fails while it is in place.
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [{ id: "4501", time: 1, changes: [{ field: "message_template_status_update", value: { event: "APPROVED", message_template_id: 7, message_template_name: "x", message_template_language: "en" } }] }],
    });
    const signature = `sha256=${createHmac("sha256", APP_SECRET).update(body).digest("hex")}`;
    const { result: probe, touched: used } = await withoutDatabase(async () =>
      (await fetch(`${server.url}/whatsapp/webhook`, { method: "POST", body, headers: { "content-type": "application/json", "x-hub-signature-256": signature } })).status,
    );
    expect(probe).toBe(500);
    expect(used.length).toBeGreaterThan(0);
  });
});
