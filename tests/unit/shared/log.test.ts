import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { testKind, testTaskRegistry } from "../../support/task-registry";
import { sqlQuery } from "../../../app/db.server";
import { Prisma } from "@prisma/client";
import * as queue from "../../../app/tasks/queue.server";
import * as runner from "../../../app/tasks/runner.server";
import * as logging from "../../../app/shared/log.server";
const testTasks = testTaskRegistry();

const db = useTestDatabase();

const PHONE = "+34699123456";
const DIGITS = "699123456";

/** Everything written while fn runs: the logger's lines and anything else reaching stdout/stderr. */
async function captured(fn: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const restoreSink = logging.setLogSink((line) => lines.push(line));
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const grab = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    restoreSink();
  }
  return lines.join("\n");
}

describe("errors are logged by code and context", () => {
  it("a unique violation on a phone (ORM, raw SQL, driver) and a phone PostgreSQL cannot read, raised in tasks, log no phone digits", async () => {
    const shop = "log-phone.myshopify.com";
    await db.prisma.subscriber.create({ data: { shop, phone: PHONE, callingCode: "34", status: "subscribed" } });
    testTasks.on("test.dup-orm", async () => {
      await db.prisma.subscriber.create({ data: { shop, phone: PHONE, callingCode: "34" } });
    });
    testTasks.on("test.dup-raw", async () => {
      await db.prisma.$executeRaw`INSERT INTO "Subscriber" (id, shop, phone, "callingCode", "updatedAt") VALUES ('dup-raw', ${shop}, ${PHONE}, '34', now())`;
    });
    // On the driver directly (the hot paths' sqlQuery): pg's error carries the row in `detail`.
    testTasks.on("test.dup-driver", async () => {
      await sqlQuery(Prisma.sql`INSERT INTO "Subscriber" (id, shop, phone, "callingCode", "updatedAt") VALUES ('dup-driver', ${shop}, ${PHONE}, '34', now())`);
    });
    // PostgreSQL quotes a value it cannot read in the message itself.
    testTasks.on("test.cast", async () => {
      await db.prisma.$queryRaw`SELECT ${PHONE}::int AS n`;
    });
    for (const kind of ["test.dup-orm", "test.dup-raw", "test.dup-driver", "test.cast"] as const) await queue.enqueueTask({ shop, kind: testKind(kind) });
    const output = await captured(() => runner.runDueTasks("log-test", testTasks.registry));

    const entries = output.split("\n").filter((l) => l.includes('"task failed"')).map((l) => JSON.parse(l));
    expect(entries).toHaveLength(4);
    // What an operator needs is there: the kind of error and its code.
    for (const entry of entries) expect(JSON.stringify(entry.error)).toMatch(/P2002|P2010|23505|22P02/);
    expect(output).not.toContain(DIGITS);
    // What the task row keeps of the error is as clean as the log.
    const tasks = await db.prisma.task.findMany({ where: { shop } });
    expect(tasks.map((t) => t.lastError ?? "").join(" ")).not.toContain(DIGITS);
    expect(tasks.every((t) => t.status === "queued" && t.lastError)).toBe(true);
  });

  it("every line a task's handler logs names the task, its kind and its shop", async () => {
    const shop = "log-context.myshopify.com";
    testTasks.on("test.logs", async () => {
      logging.log.error("inside a handler", { step: "one" });
    });
    await queue.enqueueTask({ shop, kind: testKind("test.logs") });
    const task = await db.prisma.task.findFirstOrThrow({ where: { shop } });
    const output = await captured(() => runner.runDueTasks("log-context-test", testTasks.registry));

    const line = output.split("\n").find((l) => l.includes('"inside a handler"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ task: task.id, kind: "test.logs", shop, step: "one" });
    // Outside the handler the fields are gone again.
    const after = await captured(async () => logging.log.error("after the run"));
    expect(JSON.parse(after.split("\n").find((l) => l.includes('"after the run"'))!)).not.toHaveProperty("task");
  });

  it("errorFields keeps the code and the schema names of a driver error, never its message or detail", () => {
    const driverError = Object.assign(new Error(`duplicate key value violates unique constraint "Subscriber_shop_phone_key"`), {
      name: "DatabaseError",
      code: "23505",
      detail: `Key (shop, phone)=(log-phone.myshopify.com, ${PHONE}) already exists.`,
      constraint: "Subscriber_shop_phone_key",
      table: "Subscriber",
    });
    const fields = logging.errorFields(driverError);
    expect(fields).toEqual({ name: "DatabaseError", code: "23505", constraint: "Subscriber_shop_phone_key", table: "Subscriber" });
    expect(JSON.stringify(logging.errorFields(new Error("wrapped", { cause: driverError })))).not.toContain(DIGITS);
  });

  it("fields named like personal data or secrets are redacted", async () => {
    const output = await captured(async () => logging.log.error("probe", { phone: PHONE, accessToken: "EAAG-secret", shop: "a.myshopify.com" }));
    expect(output).not.toContain(DIGITS);
    expect(output).not.toContain("EAAG-secret");
    expect(output).toContain("a.myshopify.com");
  });
});
