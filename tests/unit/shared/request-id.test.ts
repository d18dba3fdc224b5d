import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { log, setLogSink } from "../../../app/shared/log.server";
import { requestIdFrom, serveWithRequestId } from "../../../app/shared/request-id.server";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("request ids", () => {
  it("keeps a well-formed incoming id and replaces anything else", () => {
    expect(requestIdFrom("lb-7f3a9c21-0001")).toBe("lb-7f3a9c21-0001");
    expect(requestIdFrom("Root=1-67891233-abcdef012345678912345678")).toMatch(UUID);
    for (const bad of [undefined, "", "short", "34699123456", "a b c d e f g h", "x".repeat(129), ["lb-7f3a9c21-0001", "other-id-0002"]]) {
      expect(requestIdFrom(bad)).toMatch(UUID);
    }
  });

  describe("on a node:http server", () => {
    const lines: string[] = [];
    let restoreSink: () => void;
    let server: http.Server;
    let url: string;

    beforeAll(async () => {
      restoreSink = setLogSink((line) => lines.push(line));
      server = http.createServer((req, res) =>
        serveWithRequestId(req, res, () => {
          // Work that continues after an await still logs under the request's id.
          void Promise.resolve().then(async () => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            log.error("handled", { path: req.url });
            res.writeHead(204).end();
          });
        }),
      );
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      restoreSink();
      await new Promise((resolve) => server.close(resolve));
    });

    it("answers with the request id and logs every line of the request under it", async () => {
      const given = await fetch(`${url}/a`, { headers: { "X-Request-Id": "edge-1234abcd" } });
      const made = await fetch(`${url}/b`, { headers: { "X-Request-Id": "not a valid id" } });
      const none = await fetch(`${url}/c`);
      expect(given.headers.get("x-request-id")).toBe("edge-1234abcd");
      expect(made.headers.get("x-request-id")).toMatch(UUID);
      expect(none.headers.get("x-request-id")).toMatch(UUID);
      expect(made.headers.get("x-request-id")).not.toBe(none.headers.get("x-request-id"));

      const byPath = Object.fromEntries(lines.map((line) => JSON.parse(line)).map((e) => [e.path, e.requestId]));
      expect(byPath).toEqual({
        "/a": "edge-1234abcd",
        "/b": made.headers.get("x-request-id"),
        "/c": none.headers.get("x-request-id"),
      });
    });
  });
});
