import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";

/**
 * A forked TypeScript process answering { id, cmd, args } messages (bench/app-process.ts,
 * bench/baseline-server.ts, bench/load.ts). Each runs on its own event loop, so the load
 * generator, the server under test and the baseline never share one.
 */
export interface Child {
  process: ChildProcess;
  call<T = unknown>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  kill(): void;
}

export function forkChild(file: string, env: Record<string, string | undefined> = {}, execArgv: string[] = []): Child {
  const child = fork(path.resolve(file), [], {
    execArgv: ["--import", "tsx", ...execArgv],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let next = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on("message", (message: { id: number; ok: boolean; result?: unknown; error?: string }) => {
    const w = waiting.get(message.id);
    if (!w) return;
    waiting.delete(message.id);
    if (message.ok) w.resolve(message.result);
    else w.reject(new Error(message.error));
  });
  child.on("exit", (code, signal) => {
    for (const w of waiting.values()) w.reject(new Error(`${file} exited (${code ?? signal})`));
    waiting.clear();
  });
  return {
    process: child,
    call<T>(cmd: string, args: Record<string, unknown> = {}) {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, cmd, args });
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

/** Serves { id, cmd, args } messages in a forked child. */
export function serveCommands(commands: Record<string, (args: Record<string, unknown>) => Promise<unknown>>) {
  process.on("message", (message: { id: number; cmd: string; args?: Record<string, unknown> }) => {
    const reply = (body: Record<string, unknown>) => process.send!({ id: message.id, ...body });
    const command = commands[message.cmd];
    if (!command) return reply({ ok: false, error: `unknown command ${message.cmd}` });
    command(message.args ?? {}).then(
      (result) => reply({ ok: true, result }),
      (error: unknown) => reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  process.on("disconnect", () => process.exit(0));
}
