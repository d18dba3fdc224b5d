import { Prisma } from "@prisma/client";

/**
 * A value one statement of a pipelined transaction leaves for the statements after it, kept as a
 * transaction-local setting (`set_config(…, true)`), so it ends with the transaction.
 *
 * Statements sent together in one round trip (./pipeline.server.ts) cannot read each other's
 * results, yet a later statement may depend on an earlier one: a cart's flow event is written only
 * when the cart row changed, a delivery's writes only when its receipt is new. Each module writes
 * whole statements of its own and hands over only such a typed handle, never a piece of SQL for
 * another module's statement (docs/decisions/027-task-registry-and-ingest-contract.md).
 *
 * A statement that leaves a value must always set it (never only on some rows): the statements of
 * several webhook deliveries share one transaction, and a value left by an earlier delivery must
 * not be read by a later one.
 */
export interface Carried<T> {
  /** The setting's name: custom settings need a dot */
  readonly setting: string;
  /** Never set: only ties the handle to the type of what it carries */
  readonly type?: T;
}

export function carried<T>(name: string): Carried<T> {
  if (!/^[a-z_]+$/.test(name)) throw new TypeError(`carried value names are lower-case words, not "${name}"`);
  return { setting: `rebound.${name}` };
}

/** An expression (for a SELECT list) that leaves `condition` as the flag. */
export function leaveFlag(flag: Carried<boolean>, condition: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`set_config(${flag.setting}, CASE WHEN ${condition} THEN 'yes' ELSE 'no' END, true)`;
}

/** True when an earlier statement of the transaction left the flag raised. */
export function flagRaised(flag: Carried<boolean>): Prisma.Sql {
  return Prisma.sql`(COALESCE(current_setting(${flag.setting}, true), '') = 'yes')`;
}

/** An expression (for a SELECT list) that leaves a jsonb value; NULL leaves an empty array. */
export function leaveJson<T>(value: Carried<T[]>, json: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`set_config(${value.setting}, CAST(COALESCE(${json}, CAST('[]' AS jsonb)) AS text), true)`;
}

/** The jsonb array an earlier statement left (empty when none was left). */
export function jsonLeft<T>(value: Carried<T[]>): Prisma.Sql {
  return Prisma.sql`CAST(COALESCE(NULLIF(current_setting(${value.setting}, true), ''), '[]') AS jsonb)`;
}
