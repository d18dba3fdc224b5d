import type { Session } from "@shopify/shopify-api";
import type { PrismaClient } from "@prisma/client";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import prisma, { databaseReady } from "../db.server";

/**
 * The library's Prisma session storage, created only once the migrations have run. Its
 * constructor counts the Session table at once; on a database this process is still migrating
 * it logs "Error obtaining session table" and waits five seconds before asking again, which
 * delays the first webhook or admin request after a fresh install by those five seconds.
 */
export class MigratedSessionStorage implements SessionStorage {
  private readonly inner: Promise<PrismaSessionStorage<PrismaClient>>;

  constructor() {
    this.inner = databaseReady().then(() => new PrismaSessionStorage(prisma));
  }

  async storeSession(session: Session): Promise<boolean> {
    return (await this.inner).storeSession(session);
  }

  async loadSession(id: string): Promise<Session | undefined> {
    return (await this.inner).loadSession(id);
  }

  async deleteSession(id: string): Promise<boolean> {
    return (await this.inner).deleteSession(id);
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    return (await this.inner).deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return (await this.inner).findSessionsByShop(shop);
  }
}
