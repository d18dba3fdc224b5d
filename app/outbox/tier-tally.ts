import type { BatchSnapshots } from "./batch-snapshot.server";
import type { GateSnapshot } from "./gate";
import type { ClaimedNotification } from "./types";

/**
 * The messaging-limit tier counts distinct recipients per shop over a rolling 24 h. The database
 * counts only sends already recorded, so rows sent in parallel would each see room in the tier;
 * this tally adds what this process has in flight, and what its current batch sent since the
 * batch's snapshot was read.
 */

/** A shop's recipients this batch has sent to, and how many of them its tier read did not count */
interface SentTo {
  ids: Set<string>;
  uncounted: number;
}

/** What one claimed batch has sent so far, per shop. */
export interface BatchTally {
  snapshots: BatchSnapshots;
  sentTo: Map<string, SentTo>;
}

export function batchTally(snapshots: BatchSnapshots): BatchTally {
  return { snapshots, sentTo: new Map() };
}

export interface TierTally {
  /** Marks a recipient in flight; call the returned function when the send is over. */
  reserve(shop: string, recipient: string): () => void;
  /**
   * Adds the recipients the database did not count yet to the snapshot's tier usage. Must run
   * with no await between it, the gate and reserve(), so parallel rows see each other.
   */
  countUnrecorded(row: ClaimedNotification, snapshot: GateSnapshot, fromBatch: boolean, batch: BatchTally): void;
  /** A send of the batch was recorded. */
  noteSent(row: ClaimedNotification, batch: BatchTally): void;
}

export function tierTally(): TierTally {
  /** Recipients this process is sending to right now, per shop, with how many sends each. */
  const inFlight = new Map<string, Map<string, number>>();

  return {
    reserve(shop, recipient) {
      const recipients = inFlight.get(shop) ?? new Map<string, number>();
      recipients.set(recipient, (recipients.get(recipient) ?? 0) + 1);
      inFlight.set(shop, recipients);
      return () => {
        const left = (recipients.get(recipient) ?? 1) - 1;
        if (left > 0) recipients.set(recipient, left);
        else recipients.delete(recipient);
      };
    },

    countUnrecorded(row, snapshot, fromBatch, batch) {
      if (snapshot.tier.subscriberIncluded) return;
      // The gate reads the tier usage only when the shop has a tier to stay under.
      if (snapshot.settings.messagingLimitTier <= 0) return;
      const self = row.subscriberId ?? "";
      const pending = inFlight.get(row.shop);
      if (!fromBatch) {
        if (!pending) return;
        const others = pending.size - (row.subscriberId !== null && pending.has(row.subscriberId) ? 1 : 0);
        snapshot.tier = { ...snapshot.tier, recipients: snapshot.tier.recipients + others, subscriberIncluded: pending.has(self) };
        return;
      }
      // The batch's read also misses what this batch has sent since: the recipients sent to or in
      // flight, other than this one, that the read did not count. Runs once per row, so it counts
      // from the batch's running tally and the few rows in flight rather than copying either.
      const counted = batch.snapshots.tierIncluded(row.shop);
      const sent = batch.sentTo.get(row.shop);
      let included = sent?.ids.has(self) ?? false;
      let others = (sent?.uncounted ?? 0) - (included && !counted.has(self) ? 1 : 0);
      for (const id of pending?.keys() ?? []) {
        if (id === self) included = true;
        else if (!counted.has(id) && !sent?.ids.has(id)) others++;
      }
      snapshot.tier = { ...snapshot.tier, recipients: snapshot.tier.recipients + others, subscriberIncluded: included };
    },

    noteSent(row, batch) {
      let sentTo = batch.sentTo.get(row.shop);
      if (!sentTo) batch.sentTo.set(row.shop, (sentTo = { ids: new Set(), uncounted: 0 }));
      const recipient = row.subscriberId ?? row.id;
      if (!sentTo.ids.has(recipient)) {
        sentTo.ids.add(recipient);
        if (!batch.snapshots.tierIncluded(row.shop).has(recipient)) sentTo.uncounted++;
      }
    },
  };
}
