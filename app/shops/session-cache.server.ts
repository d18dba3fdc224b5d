import { AsyncLocalStorage } from "node:async_hooks";
import type { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

/**
 * Every webhook delivery makes the library load the shop's offline session, a database read per
 * request for a row that changes on install, token refresh and uninstall only. Inside
 * withCachedSessions (webhook authentication, whose handlers never call the Admin API with that
 * session) a read may be served from memory for a few seconds; everywhere else (Admin API calls
 * from tasks and pages) it reads the row, so a token changed by another process or by hand is
 * seen at once there. Writes and deletions through this storage drop the entry, and
 * app/uninstalled (which deletes the rows in its own transaction) calls forgetShopSessions.
 */
export const SESSION_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  session: Session | undefined;
  expiresAt: number;
}

export class CachedSessionStorage implements SessionStorage {
  private readonly entries = new Map<string, Entry>();
  /** Bumped on every change, so a read that started before it cannot cache what it saw. */
  private generation = 0;

  constructor(
    private readonly inner: SessionStorage,
    private readonly ttlMs = SESSION_CACHE_TTL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async loadSession(id: string): Promise<Session | undefined> {
    const hit = this.entries.get(id);
    if (hit && hit.expiresAt > this.now() && cachedReads.getStore()) return hit.session;
    const started = this.generation;
    const session = await this.inner.loadSession(id);
    if (started === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(id, { session, expiresAt: this.now() + this.ttlMs });
    }
    return session;
  }

  async storeSession(session: Session): Promise<boolean> {
    this.forget([session.id]);
    try {
      return await this.inner.storeSession(session);
    } finally {
      this.forget([session.id]);
    }
  }

  async deleteSession(id: string): Promise<boolean> {
    this.forget([id]);
    try {
      return await this.inner.deleteSession(id);
    } finally {
      this.forget([id]);
    }
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    this.forget(ids);
    try {
      return await this.inner.deleteSessions(ids);
    } finally {
      this.forget(ids);
    }
  }

  findSessionsByShop(shop: string): Promise<Session[]> {
    return this.inner.findSessionsByShop(shop);
  }

  /** Drops every cached session of the shop (offline and online ids all carry the domain). */
  forgetShop(shop: string): void {
    this.generation++;
    for (const [id, entry] of this.entries) {
      if (id.includes(shop) || entry.session?.shop === shop) this.entries.delete(id);
    }
  }

  private forget(ids: string[]): void {
    this.generation++;
    for (const id of ids) this.entries.delete(id);
  }
}

const cachedReads = new AsyncLocalStorage<boolean>();

/** Runs fn with session reads allowed to come from the cache (see above for who may). */
export function withCachedSessions<T>(fn: () => Promise<T>): Promise<T> {
  return cachedReads.run(true, fn);
}

// One cache per process, shared by the server bundle and the task runner, like the Prisma client.
const KEY = Symbol.for("rebound.sessionCache");
type Holder = typeof globalThis & { [KEY]?: Set<CachedSessionStorage> };

export function registerSessionCache(cache: CachedSessionStorage): CachedSessionStorage {
  const holder = globalThis as Holder;
  (holder[KEY] ??= new Set()).add(cache);
  return cache;
}

/** The shop's sessions were deleted behind the storage's back (app/uninstalled). */
export function forgetShopSessions(shop: string): void {
  for (const cache of (globalThis as Holder)[KEY] ?? []) cache.forgetShop(shop);
}
