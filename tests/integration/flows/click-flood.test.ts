import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../support/server";
import { PHONE_BROWSER } from "./harness";
import prisma from "../../../app/db.server";
import * as limits from "../../../app/flows/click-limits.server";

// /r/:token is public and unauthenticated: anyone holding a message's link can replay it. Taps
// past the bounds are redirected like any other, but write nothing.
let server: TestServer;

const shop = "click-flood.myshopify.com";
const destination = "https://click-flood.myshopify.com/products/shirt";

beforeAll(async () => {
  // As deployed behind one load balancer: the last X-Forwarded-For entry is the address it saw.
  server = await startTestServer({ TRUSTED_PROXY_HOPS: "1" });
  await prisma.shop.create({ data: { shop } });
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

async function trackedLinks(count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const notification = await prisma.notification.create({
      data: { shop, flow: "promotion", dedupKey: `flood:${randomBytes(6).toString("hex")}`, sendAt: new Date(), templateName: "spring_offer", templateLanguage: "en", params: {}, status: "sent" },
    });
    const token = randomBytes(16).toString("hex");
    await prisma.trackedLink.create({ data: { token, shop, notificationId: notification.id, destination } });
    tokens.push(token);
  }
  return tokens;
}

/** Sends the requests 25 at a time; resolves to each answer's status and Location. */
async function flood(requests: Array<{ token: string; forwardedFor: string }>) {
  const answers: Array<{ status: number; location: string | null }> = [];
  const queue = [...requests];
  await Promise.all(
    Array.from({ length: 25 }, async () => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        const response = await fetch(`${server.url}/r/${r.token}`, {
          redirect: "manual",
          headers: { "User-Agent": PHONE_BROWSER, "X-Forwarded-For": r.forwardedFor },
        });
        answers.push({ status: response.status, location: response.headers.get("location") });
      }
    }),
  );
  return answers;
}

describe("tracked link flood", () => {
  it("1,000 hits on one link write at most the per-link bound, and every hit is still redirected", async () => {
    const [token] = await trackedLinks(1);
    // Half from one address, half from addresses made up per request (X-Forwarded-For is the client's to forge).
    const requests = Array.from({ length: 1000 }, (_, i) => ({
      token,
      forwardedFor: i % 2 === 0 ? "203.0.113.50" : `198.51.${(i >> 8) & 255}.${i & 255}`,
    }));
    const answers = await flood(requests);
    expect(answers.filter((a) => a.status !== 302)).toEqual([]);
    expect(answers.every((a) => a.location?.startsWith(destination))).toBe(true);
    const clicks = await prisma.click.count({ where: { shop, token } });
    expect(clicks).toBeGreaterThan(0);
    expect(clicks).toBeLessThanOrEqual(limits.CLICKS_PER_LINK.limit);
    const events = await prisma.notificationEvent.count({ where: { shop, kind: "clicked" } });
    expect(events).toBe(clicks);
    // The counters hold no client address, and no counter went past its bound.
    const counters = await prisma.rateCounter.findMany({ where: { key: { startsWith: "click:" } } });
    expect(counters.some((c) => c.key.includes("203.0.113.50") || c.key.includes("198.51."))).toBe(false);
    for (const c of counters) expect(c.count).toBeLessThanOrEqual(Math.max(limits.CLICKS_PER_LINK.limit, limits.CLICKS_PER_ADDRESS.limit));
  }, 120_000);

  it("one address walking many links is bounded too", async () => {
    const tokens = await trackedLinks(limits.CLICKS_PER_ADDRESS.limit + 30);
    const answers = await flood(tokens.map((token) => ({ token, forwardedFor: "192.0.2.77" })));
    expect(answers.filter((a) => a.status !== 302)).toEqual([]);
    const clicks = await prisma.click.count({ where: { shop, token: { in: tokens } } });
    expect(clicks).toBe(limits.CLICKS_PER_ADDRESS.limit);
  }, 120_000);
});
