import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createAppTaskRegistry } from "../../../app/background.server";
import { TASK_KINDS } from "../../../app/tasks/kinds";
import { appTaskRegistry, createTaskRegistry, TaskRegistryError } from "../../../app/tasks/registry.server";

const APP = path.resolve(__dirname, "../../../app");
const noop = async () => {};

/** Every module under a folder of app/, with its path relative to app/. */
function modules(dir = APP): Array<{ file: string; source: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return modules(full);
    return /\.tsx?$/.test(entry.name) ? [{ file: path.relative(APP, full), source: readFileSync(full, "utf8") }] : [];
  });
}

describe("the app's task registry", () => {
  it("has a handler for every kind the queue accepts, and for nothing else", () => {
    // enqueue's `kind` is a TaskKind, so every kind enqueued anywhere is one of TASK_KINDS.
    const registry = createAppTaskRegistry();
    expect(registry.kinds().sort()).toEqual([...TASK_KINDS].sort());
    for (const kind of TASK_KINDS) expect(typeof registry.handler(kind)?.run, kind).toBe("function");
  });

  it("keeps a handler's own maxAttempts", () => {
    expect(createAppTaskRegistry().handler("shops.finish_install")?.maxAttempts).toBe(30);
  });

  it("refuses to start without a handler for a kind, naming it", () => {
    const all = Object.fromEntries(TASK_KINDS.map((kind) => [kind, noop]));
    const { ["whatsapp.sync_templates"]: _dropped, ...rest } = all;
    expect(() => appTaskRegistry([rest])).toThrow(new TaskRegistryError("no handler for task kinds whatsapp.sync_templates"));
    expect(() => appTaskRegistry([all])).not.toThrow();
  });

  it("refuses a kind handled twice and a handler for a kind nobody enqueues", () => {
    expect(() => createTaskRegistry([{ "test.a": noop }, { "test.a": noop }])).toThrow(/test\.a has two handlers/);
    const all = Object.fromEntries(TASK_KINDS.map((kind) => [kind, noop]));
    expect(() => appTaskRegistry([all, { "flows.cart_change": noop }])).toThrow(/never enqueued: flows\.cart_change/);
  });
});

describe("the task queue owns its table", () => {
  it("every Task statement lives in app/tasks", () => {
    const writers = modules()
      .filter(({ file }) => !file.startsWith(`tasks${path.sep}`))
      .filter(({ source }) => /(INTO|UPDATE|FROM|JOIN) "Task"|\.task\.\w+\(/.test(source))
      .map(({ file }) => file);
    expect(writers).toEqual([]);
  });

  it("imports nothing of the app outside app/shared, app/db and app/env", () => {
    const imports = modules(path.join(APP, "tasks")).flatMap(({ file, source }) =>
      [...source.matchAll(/from "(\.\.\/[^"]+)"/g)].map((m) => `${file} -> ${m[1]}`),
    );
    expect(imports.filter((line) => !/-> \.\.\/(shared|db|env)[/.]/.test(line))).toEqual([]);
  });
});
