import { Prisma } from "@prisma/client";

/**
 * Values for hand-written SQL. Prisma stores DateTime in `timestamp(3)` columns as UTC; a raw
 * Date parameter would be rendered in the server's time zone, so instants go in as ISO strings
 * converted to UTC explicitly.
 */
export function sqlTimestamp(at: Date | null): Prisma.Sql {
  if (!at) return Prisma.sql`NULL::timestamp`;
  return Prisma.sql`(CAST(${at.toISOString()} AS timestamptz) AT TIME ZONE 'UTC')`;
}

export function sqlJson(value: unknown): Prisma.Sql {
  return Prisma.sql`CAST(${JSON.stringify(value)} AS jsonb)`;
}

export function sqlDecimal(value: string): Prisma.Sql {
  return Prisma.sql`CAST(${value} AS decimal(14,2))`;
}
