import { Prisma } from "@prisma/client";
import { carried, jsonLeft, type Carried } from "../db/carried.server";
import { systemClock } from "../shared/clock";
import type { TaskKind } from "./kinds";

/**
 * Tasks enqueued by a webhook delivery's pipelined statements (app/webhooks/receipt.server.ts):
 * one round trip, no result in between. A statement of the delivery decides which tasks it wants
 * (a cart's flow event only when the cart row changed, one event per restocked variant) and
 * leaves them as PENDING_TASKS; the statement enqueueLeftTasks builds, sent right after it,
 * inserts them. Same rules as enqueueTask: once per (shop, dedupKey), runAt from the process
 * clock (the sandbox runs on simulated time).
 */
export interface TaskRequest {
  kind: TaskKind;
  payload: Prisma.InputJsonObject;
  dedupKey: string;
}

/** The tasks a statement leaves for enqueueLeftTasks, as a jsonb array of TaskRequest. */
export const PENDING_TASKS: Carried<TaskRequest[]> = carried("pending_tasks");

/** The statement that enqueues the tasks the statement before it left as PENDING_TASKS. */
export function enqueueLeftTasks(shop: string): Prisma.Sql {
  const written = new Date().toISOString();
  return Prisma.sql`
    INSERT INTO "Task" (id, shop, kind, payload, "dedupKey", "runAt", "createdAt", "updatedAt")
    SELECT CAST(gen_random_uuid() AS text), ${shop}, t.kind, t.payload, t."dedupKey",
           CAST(${systemClock.now().toISOString()} AS timestamp), CAST(${written} AS timestamp), CAST(${written} AS timestamp)
      FROM jsonb_to_recordset(${jsonLeft(PENDING_TASKS)}) AS t(kind text, payload jsonb, "dedupKey" text)
    ON CONFLICT (shop, "dedupKey") DO NOTHING`;
}
