import { z } from "zod";

/**
 * Keyset pagination on (createdAt, id): a page is "rows strictly after this pair in the list's
 * order", which stays as fast on page 1,000 as on page 1 because the (shop, createdAt) index
 * seeks straight to it, where OFFSET would scan every skipped row.
 */
export interface Cursor {
  createdAt: Date;
  id: string;
}

const shape = z.object({ t: z.string().datetime(), i: z.string().min(1).max(200) });

export function encodeCursor(row: Cursor): string {
  return Buffer.from(JSON.stringify({ t: row.createdAt.toISOString(), i: row.id })).toString("base64url");
}

/** A malformed or tampered cursor reads as "no cursor": the first page, never an error. */
export function decodeCursor(raw: string | null | undefined): Cursor | null {
  if (!raw) return null;
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    return parsed.success ? { createdAt: new Date(parsed.data.t), id: parsed.data.i } : null;
  } catch {
    return null;
  }
}
