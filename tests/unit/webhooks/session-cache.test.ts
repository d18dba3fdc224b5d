import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { describe, expect, it } from "vitest";
import {
  CachedSessionStorage,
  forgetShopSessions,
  registerSessionCache,
  withCachedSessions,
} from "../../../app/shops/session-cache.server";

/** A storage over a Map that counts reads, standing in for the session table. */
function tableStorage() {
  const rows = new Map<string, Session>();
  let reads = 0;
  const storage: SessionStorage = {
    storeSession: async (s) => (rows.set(s.id, s), true),
    loadSession: async (id) => (reads++, rows.get(id)),
    deleteSession: async (id) => rows.delete(id),
    deleteSessions: async (ids) => (ids.forEach((id) => rows.delete(id)), true),
    findSessionsByShop: async (shop) => [...rows.values()].filter((s) => s.shop === shop),
  };
  return { rows, storage, reads: () => reads };
}

const offline = (shop: string, token: string) =>
  new Session({ id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: token });

describe("session cache", () => {
  const shop = "cache.myshopify.com";

  it("serves webhook authentication from memory until the entry expires", async () => {
    const table = tableStorage();
    let now = 0;
    const cache = new CachedSessionStorage(table.storage, 5_000, () => now);
    table.rows.set(`offline_${shop}`, offline(shop, "a"));
    await withCachedSessions(() => cache.loadSession(`offline_${shop}`));
    await withCachedSessions(() => cache.loadSession(`offline_${shop}`));
    expect(table.reads()).toBe(1);
    now = 5_001;
    await withCachedSessions(() => cache.loadSession(`offline_${shop}`));
    expect(table.reads()).toBe(2);
  });

  it("reads the row outside webhook authentication, so a token changed elsewhere is seen at once", async () => {
    const table = tableStorage();
    const cache = new CachedSessionStorage(table.storage, 5_000, () => 0);
    table.rows.set(`offline_${shop}`, offline(shop, "a"));
    await withCachedSessions(() => cache.loadSession(`offline_${shop}`));
    table.rows.set(`offline_${shop}`, offline(shop, "revoked"));
    expect((await cache.loadSession(`offline_${shop}`))?.accessToken).toBe("revoked");
  });

  it("drops the entry when a session is stored or deleted through it, or the shop uninstalls", async () => {
    const table = tableStorage();
    const cache = registerSessionCache(new CachedSessionStorage(table.storage, 5_000, () => 0));
    const load = () => withCachedSessions(() => cache.loadSession(`offline_${shop}`));
    await cache.storeSession(offline(shop, "a"));
    expect((await load())?.accessToken).toBe("a");
    await cache.storeSession(offline(shop, "b"));
    expect((await load())?.accessToken).toBe("b");
    await cache.deleteSession(`offline_${shop}`);
    expect(await load()).toBeUndefined();
    await cache.storeSession(offline(shop, "c"));
    expect((await load())?.accessToken).toBe("c");
    table.rows.delete(`offline_${shop}`);
    forgetShopSessions(shop);
    expect(await load()).toBeUndefined();
  });

  it("does not keep what a read saw when the session changed while it was in flight", async () => {
    const table = tableStorage();
    const cache = new CachedSessionStorage(table.storage, 5_000, () => 0);
    table.rows.set(`offline_${shop}`, offline(shop, "old"));
    const inFlight = withCachedSessions(() => cache.loadSession(`offline_${shop}`));
    await cache.storeSession(offline(shop, "new"));
    expect((await inFlight)?.accessToken).toBe("old");
    expect((await withCachedSessions(() => cache.loadSession(`offline_${shop}`)))?.accessToken).toBe("new");
  });
});
