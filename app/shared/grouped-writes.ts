/**
 * Writes in groups with no added wait: an item that arrives while a writer is free goes at once,
 * alone; the items that arrive while every writer is busy queue up and go together in the next
 * group a writer takes, up to `maxGroup`. Under load that is one write for many items instead of
 * one each; when quiet, no latency is added. The sent recorder (outbox) and the status writer
 * (WhatsApp webhooks) use one writer; webhook receipts (app/webhooks/group-commit.server.ts) use
 * several, one per connection they may hold.
 *
 * `write` settles every item of its group (each item carries its own resolve/reject) and
 * resolves to the items that must go again, first in the next group; it must not reject.
 */
export function groupedWrites<T>(write: (group: T[]) => Promise<T[] | void>, maxGroup: number, writers = 1): (item: T) => void {
  let queue: T[] = [];
  let busy = 0;

  async function drain() {
    busy++;
    try {
      while (queue.length > 0) {
        const group = queue.slice(0, maxGroup);
        queue = queue.slice(group.length);
        const again = await write(group);
        if (again && again.length > 0) queue = [...again, ...queue];
      }
    } finally {
      busy--;
    }
  }

  return (item) => {
    queue.push(item);
    if (busy < writers) void drain();
  };
}
