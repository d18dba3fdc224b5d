import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../support/server";

/**
 * What the server adds to every route: an X-Request-Id on each answer (kept from a well-formed
 * incoming one, made up otherwise), and the files of public/, copied into the build by
 * `npm run build` and served from it.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

describe("request ids", () => {
  it("names the request on Remix routes and on webhooks served before Remix", async () => {
    const page = await fetch(`${server.url}/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=5`, {
      headers: { "X-Request-Id": "edge-req-0042" },
    });
    expect(page.status).toBe(403);
    expect(page.headers.get("x-request-id")).toBe("edge-req-0042");

    // Unsigned: refused by the direct webhook path, still named.
    const webhook = await fetch(`${server.url}/webhooks/carts/update`, { method: "POST", body: "{}" });
    expect(webhook.status).toBe(401);
    expect(webhook.headers.get("x-request-id")).toMatch(UUID);

    const malformed = await fetch(`${server.url}/favicon.svg`, { headers: { "X-Request-Id": "<script>" } });
    expect(malformed.headers.get("x-request-id")).toMatch(UUID);
  });
});

describe("public/", () => {
  it("serves the app's static files from the build", async () => {
    for (const [file, type] of [
      ["favicon.svg", "image/svg+xml"],
      ["robots.txt", "text/plain"],
    ]) {
      const response = await fetch(`${server.url}/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get("content-type"), file).toContain(type);
      expect(await response.text()).toBe(await readFile(`public/${file}`, "utf8"));
    }
  });
});
