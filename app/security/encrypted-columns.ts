/**
 * Every column that holds an encryption envelope (./encryption.server.ts), in one list: key
 * rotation (`npm run keys:rotate`) re-encrypts exactly these, and a test checks that every
 * `…Enc` column of prisma/schema.prisma is here. A column listed here but absent from the
 * database (dropped by a later migration) is skipped, not an error.
 */
export interface EncryptedColumn {
  table: string;
  /** The table's primary key column: rows are rewritten one by one by it */
  key: string;
  column: string;
}

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: "WhatsAppConnection", key: "shop", column: "accessTokenEnc" },
  // The two-step verification PIN Embedded Signup registered the number with (null when manual)
  { table: "WhatsAppConnection", key: "shop", column: "registrationPinEnc" },
];
