/**
 * Writes in groups with no added wait: an item that arrives while nothing is being written goes
 * at once, alone; the items that arrive while a write runs queue up and go together in the next
 * one, up to `maxGroup`. Under load that is one statement for many items instead of one each;
 * when quiet, no latency is added. The sent recorder (outbox) and the status writer (WhatsApp
 * webhooks) are built on it.
 *
 * `write` settles every item of its group (each item carries its own resolve/reject) and
 * resolves to the items that must go again, first in the next group; it must not reject.
 */
export function groupedWrites<T>(write: (group: T[]) => Promise<T[] | void>, maxGroup: number): (item: T) => void {
  let queue: T[] = [];
  let writing = false;

  async function drain() {
    writing = true;
    try {
      while (queue.length > 0) {
        const group = queue.slice(0, maxGroup);
        queue = queue.slice(group.length);
        const again = await write(group);
        if (again && again.length > 0) queue = [...again, ...queue];
      }
    } finally {
      writing = false;
    }
  }

  return (item) => {
    queue.push(item);
    if (!writing) void drain();
  };
}
