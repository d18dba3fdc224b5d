import { EventEmitter } from "node:events";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { releaseDeadCheckouts } from "../../../app/db/adapter.server";

/**
 * The guard that takes back connections dying while checked out (app/db/adapter.server.ts),
 * against a pool that behaves as pg-pool does: it emits `acquire`, gives the checkout a release
 * that throws when called twice, and emits `release` when the connection comes back.
 */
class FakeClient extends EventEmitter {
  release: (error?: Error | boolean) => void = () => {};
}

class FakePool extends EventEmitter {
  readonly returned: Array<Error | boolean | undefined> = [];
  /** pg-pool listens for errors of the connections it holds idle */
  readonly idleErrors: Error[] = [];
  private readonly idle = (error: Error) => this.idleErrors.push(error);

  checkout(client: FakeClient) {
    client.removeListener("error", this.idle);
    this.emit("acquire", client);
    let released = false;
    client.release = (error) => {
      if (released) throw new Error("Release called on client which has already been released to the pool.");
      released = true;
      client.on("error", this.idle);
      this.returned.push(error);
      this.emit("release", error, client);
    };
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function guarded() {
  const pool = new FakePool();
  releaseDeadCheckouts(pool as unknown as pg.Pool);
  return pool;
}

describe("the pool's dead-checkout guard", () => {
  it("gives back a connection that ends while checked out, once", async () => {
    const pool = guarded();
    const client = new FakeClient();
    pool.checkout(client);
    await tick();
    client.emit("end");
    expect(pool.returned).toHaveLength(1);
    expect(pool.returned[0]).toBeInstanceOf(Error);
    // The user's own release afterwards (Prisma's) changes nothing.
    expect(() => client.release()).not.toThrow();
    expect(pool.returned).toHaveLength(1);
  });

  it("is disarmed by a normal release: the server ending the idle connection later releases nothing", async () => {
    const pool = guarded();
    const client = new FakeClient();
    pool.checkout(client);
    await tick();
    client.release();
    expect(() => client.emit("end")).not.toThrow();
    expect(pool.returned).toEqual([undefined]);
  });

  it("never arms on a checkout the pool released itself before the guard could arm", async () => {
    const pool = guarded();
    const client = new FakeClient();
    // pg-pool does this for a caller that timed out while its connection was being opened.
    pool.checkout(client);
    client.release();
    await tick();
    expect(() => client.emit("end")).not.toThrow();
    expect(() => client.emit("error", new Error("terminating connection due to administrator command"))).not.toThrow();
    expect(pool.returned).toEqual([undefined]);
  });

  it("is disarmed when the pool takes the connection back through a release the guard did not wrap", async () => {
    const pool = guarded();
    const client = new FakeClient();
    pool.checkout(client);
    const original = client.release;
    await tick();
    original();
    expect(() => client.emit("end")).not.toThrow();
    expect(pool.returned).toEqual([undefined]);
  });
});
