type Prisma = typeof import("../../app/db.server").default;

/**
 * Polls `probe` every 100 ms until it yields a value. Flows finish in background tasks, so a
 * timeout names what was awaited and the shop's tasks with their last errors, which is usually
 * where the reason is.
 */
export async function waitForShop<T>(
  prisma: Prisma,
  shop: string,
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > ms) {
      const tasks = await prisma.task.findMany({ where: { shop }, select: { kind: true, status: true, lastError: true } });
      throw new Error(`timed out waiting for ${what}; tasks: ${JSON.stringify(tasks)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
