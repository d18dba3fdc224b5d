import type { RawSql } from "../db/adapter.server";
import { ENCRYPTED_COLUMNS, type EncryptedColumn } from "./encrypted-columns";
import { decryptSecret, encryptSecret, type Key } from "./encryption.server";

/**
 * Re-encrypts every stored secret under the first key of ENCRYPTION_KEYS, batch by batch, then
 * counts how many envelopes still name each key id, so an operator can see when a retired key
 * is no longer used and may be dropped from ENCRYPTION_KEYS. Safe to run again at any time
 * (rows already under the first key are not touched) and next to running app processes: each
 * row is rewritten only if it still holds the envelope that was read, so a token saved from the
 * admin in between is never overwritten with an older one.
 */
export interface RotationReport {
  /** The key everything is now encrypted under */
  current: string;
  rotated: number;
  /** Envelopes that could not be decrypted with any key (left as they are) */
  unreadable: number;
  /** Envelopes per key id after the run, per column ("Table.column") */
  remaining: Record<string, Record<string, number>>;
  /** Listed columns this database does not have */
  skipped: string[];
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

async function existing(raw: RawSql, columns: readonly EncryptedColumn[]) {
  const rows = await raw.query<{ table_name: string; column_name: string }>(
    `SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = current_schema()`,
  );
  const present = new Set(rows.map((r) => `${r.table_name}.${r.column_name}`));
  return columns.map((c) => ({ ...c, present: present.has(`${c.table}.${c.column}`) }));
}

export async function rotateEncryptionKeys(
  raw: RawSql,
  keyring: Key[],
  options: { batchSize?: number; columns?: readonly EncryptedColumn[] } = {},
): Promise<RotationReport> {
  const current = keyring[0];
  if (!current) throw new Error("ENCRYPTION_KEYS is not set");
  const batchSize = options.batchSize ?? 200;
  const report: RotationReport = { current: current.id, rotated: 0, unreadable: 0, remaining: {}, skipped: [] };

  for (const c of await existing(raw, options.columns ?? ENCRYPTED_COLUMNS)) {
    const name = `${c.table}.${c.column}`;
    if (!c.present) {
      report.skipped.push(name);
      continue;
    }
    const [table, key, column] = [quote(c.table), quote(c.key), quote(c.column)];
    // Rows that no key opens stay as they are; the batches step past them by key.
    let after = "";
    for (;;) {
      const batch = await raw.query<{ k: string; v: string }>(
        `SELECT ${key}::text AS k, ${column} AS v FROM ${table}
          WHERE ${column} IS NOT NULL AND split_part(${column}, '.', 2) <> $1 AND ${key}::text > $2
          ORDER BY ${key}::text LIMIT ${batchSize}`,
        [current.id, after],
      );
      if (batch.length === 0) break;
      for (const row of batch) {
        let plain: string;
        try {
          plain = decryptSecret(row.v, keyring);
        } catch {
          report.unreadable++;
          continue;
        }
        const updated = await raw.query(`UPDATE ${table} SET ${column} = $1 WHERE ${key}::text = $2 AND ${column} = $3 RETURNING 1`, [
          encryptSecret(plain, keyring),
          row.k,
          row.v,
        ]);
        report.rotated += updated.length;
      }
      after = batch[batch.length - 1].k;
    }
    const counts = await raw.query<{ id: string; n: number }>(
      `SELECT split_part(${column}, '.', 2) AS id, count(*)::int AS n FROM ${table} WHERE ${column} IS NOT NULL GROUP BY 1 ORDER BY 1`,
    );
    report.remaining[name] = Object.fromEntries(counts.map((r) => [r.id, Number(r.n)]));
  }
  return report;
}
