import { groupedWrites } from "../shared/grouped-writes";
import { markSentMany, type SentRow } from "./claim.server";

/**
 * Records WhatsApp's acceptances in groups: while one write is running, the sends that finish
 * queue up and go in the next one. One statement per group instead of per message, with no
 * waiting added when the outbox is quiet (a lone send is written at once).
 */
export interface SentRecorder {
  /** Resolves to false when the row's lease had passed to another worker */
  record(row: SentRow): Promise<boolean>;
}

interface Waiting {
  row: SentRow;
  resolve: (recorded: boolean) => void;
  reject: (error: unknown) => void;
}

const MAX_GROUP = 500;

export function createSentRecorder(owner: string, retryDelayMs = 200): SentRecorder {
  /** Losing the record of a send to a passing database hiccup would mean sending it again. */
  async function write(group: Waiting[]) {
    for (let attempt = 1; ; attempt++) {
      try {
        const recorded = await markSentMany(
          group.map((w) => w.row),
          owner,
        );
        for (const w of group) w.resolve(recorded.has(w.row.id));
        return;
      } catch (error) {
        if (attempt >= 5) {
          for (const w of group) w.reject(error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs * attempt));
      }
    }
  }

  const enqueue = groupedWrites(write, MAX_GROUP);
  return {
    record(row) {
      return new Promise<boolean>((resolve, reject) => enqueue({ row, resolve, reject }));
    },
  };
}
