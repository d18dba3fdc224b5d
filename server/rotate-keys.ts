/**
 * `npm run keys:rotate`: re-encrypts every stored secret under the first key of ENCRYPTION_KEYS
 * and prints how many envelopes still use each key id (last line `KEYS {json}`). Rotating a key:
 * put the new one first in ENCRYPTION_KEYS (keeping the old one after it), roll the app out, run
 * this, and once no column counts the old id, remove it from ENCRYPTION_KEYS. Exits 1 when some
 * envelope could not be decrypted with any key (do not drop a key then).
 */
import { keyRotationEnv } from "../app/env.server";
import { databaseTarget, openConnection } from "../app/db/adapter.server";
import { parseKeys } from "../app/security/encryption.server";
import { rotateEncryptionKeys } from "../app/security/key-rotation.server";

const { DATABASE_URL, PGLITE_DIR, ENCRYPTION_KEYS } = keyRotationEnv();
const keyring = parseKeys(ENCRYPTION_KEYS);
const connection = openConnection(databaseTarget(DATABASE_URL, PGLITE_DIR));
let code = 0;
try {
  const report = await connection.withSession((raw) => rotateEncryptionKeys(raw, keyring));
  for (const [column, counts] of Object.entries(report.remaining)) {
    const ids = Object.entries(counts).map(([id, n]) => `${id}: ${n}`).join(", ") || "none stored";
    process.stdout.write(`${column}: ${ids}\n`);
  }
  if (report.skipped.length > 0) process.stdout.write(`not in this database (skipped): ${report.skipped.join(", ")}\n`);
  const retired = keyring.slice(1).filter((k) => Object.values(report.remaining).every((counts) => !counts[k.id]));
  if (retired.length > 0) process.stdout.write(`no longer used, may be removed from ENCRYPTION_KEYS: ${retired.map((k) => k.id).join(", ")}\n`);
  if (report.unreadable > 0) {
    process.stdout.write(`${report.unreadable} stored secrets could not be decrypted with any key in ENCRYPTION_KEYS\n`);
    code = 1;
  }
  process.stdout.write(`KEYS ${JSON.stringify(report)}\n`);
} finally {
  await connection.close();
}
process.exit(code);
