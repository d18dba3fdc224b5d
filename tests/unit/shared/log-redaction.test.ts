import { afterEach, describe, expect, it, vi } from "vitest";
import { log, setLogSink } from "../../../app/shared/log.server";
import { withLogContext } from "../../../app/shared/log-context.server";

/** The lines the logger writes while fn runs, parsed (unit tests run at LOG_LEVEL=error). */
function captured(fn: () => void): { raw: string; entries: Record<string, unknown>[] } {
  const lines: string[] = [];
  const restore = setLogSink((line) => lines.push(line));
  try {
    fn();
  } finally {
    restore();
  }
  return { raw: lines.join("\n"), entries: lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const SECRETS = {
  phone: "+34699123456",
  email: "ana@example.com",
  token: "tok-5f1c9a",
  accessToken: "EAAGm0PX4ZCpsBA",
  authorization: "Bearer eyJhbGciOi.payload.sig",
  secret: "whsec-77aa",
  password: "hunter2-pw",
};

describe("the structured logger", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("redacts phone, email, token, access token, authorization and secret fields at any depth", () => {
    class Recipient {
      constructor(
        readonly customerPhone: string,
        readonly shop: string,
      ) {}
    }
    const { raw, entries } = captured(() =>
      log.error("probe", {
        shop: "redacted-probe.myshopify.com",
        ...SECRETS,
        request: { headers: { Authorization: SECRETS.authorization, "x-shopify-topic": "carts/update" } },
        session: { shop: "a.myshopify.com", accessToken: SECRETS.accessToken, nested: { deeper: { customerEmail: SECRETS.email } } },
        recipients: [{ phone: SECRETS.phone, locale: "es" }, new Recipient(SECRETS.phone, "b.myshopify.com")],
        whatsapp: { appSecret: SECRETS.secret, verifyToken: SECRETS.token, userPassword: SECRETS.password },
        dated: { at: new Date("2026-12-03T10:00:00Z"), toJSON: () => ({ phoneNumber: SECRETS.phone, kept: "yes" }) },
      }),
    );
    for (const value of Object.values(SECRETS)) expect(raw).not.toContain(value);
    // The digits alone do not survive in any form either.
    expect(raw).not.toContain("699123456");
    const [entry] = entries;
    // What is not personal data or a secret is kept, at every depth.
    expect(entry).toMatchObject({
      level: "error",
      message: "probe",
      shop: "redacted-probe.myshopify.com",
      phone: "[redacted]",
      request: { headers: { Authorization: "[redacted]", "x-shopify-topic": "carts/update" } },
      session: { shop: "a.myshopify.com", accessToken: "[redacted]", nested: { deeper: { customerEmail: "[redacted]" } } },
      recipients: [{ phone: "[redacted]", locale: "es" }, { customerPhone: "[redacted]", shop: "b.myshopify.com" }],
      dated: { phoneNumber: "[redacted]", kept: "yes" },
    });
    expect(typeof entry.at).toBe("string");
  });

  it("logs an Error by its kind and code, never its message, wherever it sits", () => {
    const error = Object.assign(new Error(`Key (shop, phone)=(x, ${SECRETS.phone}) already exists`), { code: "23505" });
    const { raw, entries } = captured(() => log.error("send failed", { error, attempts: [{ error }] }));
    expect(raw).not.toContain("699123456");
    expect(entries[0]).toMatchObject({ error: { name: "Error", code: "23505" }, attempts: [{ error: { code: "23505" } }] });
  });

  it("survives a cycle and stops at a bounded depth", () => {
    const loop: Record<string, unknown> = { name: "loop" };
    loop.self = loop;
    let deep: Record<string, unknown> = { phone: SECRETS.phone };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    const { raw, entries } = captured(() => log.error("odd shapes", { loop, deep }));
    expect(entries[0]).toMatchObject({ loop: { name: "loop", self: "[circular]" } });
    expect(raw).not.toContain("699123456");
  });

  it("adds the fields of the unit of work it runs in (a request id) to every line", () => {
    const { entries } = captured(() => {
      log.error("outside");
      withLogContext({ requestId: "req-0001-abcd" }, () => {
        log.error("inside");
        withLogContext({ taskId: "task-1" }, () => log.error("nested"));
      });
    });
    expect(entries.map((e) => [e.message, e.requestId, e.taskId])).toEqual([
      ["outside", undefined, undefined],
      ["inside", "req-0001-abcd", undefined],
      ["nested", "req-0001-abcd", "task-1"],
    ]);
  });

  it("writes only what LOG_LEVEL lets through", async () => {
    for (const [level, expected] of [
      ["warn", ["warn", "error"]],
      ["debug", ["debug", "info", "warn", "error"]],
      ["silent", []],
    ] as const) {
      vi.resetModules();
      vi.stubEnv("LOG_LEVEL", level);
      const fresh = await import("../../../app/shared/log.server");
      const lines: string[] = [];
      const restore = fresh.setLogSink((line) => lines.push(line));
      for (const method of ["debug", "info", "warn", "error"] as const) fresh.log[method](`at ${method}`);
      restore();
      expect(lines.map((line) => JSON.parse(line).level), level).toEqual(expected);
    }
  });
});
