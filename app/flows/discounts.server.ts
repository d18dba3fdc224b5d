import type { Task } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";
import { recordDiscountCreated } from "../outbox/activity.server";
import { unauthenticated } from "../shopify.server";
import type { Clock } from "../shared/clock";

/**
 * Creates the unique, single-use code a reminder step offers. It runs as a Task right after
 * planning (hours before the send), never in a webhook: an Admin API call may take seconds.
 * https://shopify.dev/docs/api/admin-graphql/latest/mutations/discountCodeBasicCreate
 * `context` replaced the deprecated `customerSelection`; both are accepted on 2026-10.
 */
export const DISCOUNT_CODE_CREATE = `#graphql
  mutation ReboundDiscountCodeCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
      codeDiscountNode { id }
      userErrors { field message code }
    }
  }`;

const payloadSchema = z.object({
  notificationId: z.string().min(1),
  code: z.string().regex(/^[A-Z0-9]{4,32}$/),
  kind: z.enum(["percentage", "fixed_amount"]),
  value: z.number().positive(),
  endsAt: z.string().datetime(),
});

const answerSchema = z.object({
  data: z
    .object({
      discountCodeBasicCreate: z
        .object({
          codeDiscountNode: z.object({ id: z.string() }).nullable(),
          userErrors: z.array(z.object({ field: z.array(z.string()).nullable().optional(), message: z.string(), code: z.string().nullable().optional() })),
        })
        .nullable(),
    })
    .nullable()
    .optional(),
  errors: z.array(z.object({ message: z.string() })).optional(),
});

export interface AdminGraphql {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

export async function createDiscountCode(
  shop: string,
  payload: z.infer<typeof payloadSchema>,
  admin: AdminGraphql,
  now: Date,
): Promise<"created" | "exists" | "not_needed"> {
  const notification = await prisma.notification.findFirst({
    where: { shop, id: payload.notificationId },
    select: { status: true, flow: true },
  });
  // A reminder cancelled before its code was made needs no code.
  if (!notification || !["scheduled", "sending"].includes(notification.status)) return "not_needed";
  const response = await admin.graphql(DISCOUNT_CODE_CREATE, {
    variables: {
      basicCodeDiscount: {
        title: `Rebound ${notification.flow.replace("_", " ")} ${payload.code}`,
        code: payload.code,
        startsAt: now.toISOString(),
        endsAt: payload.endsAt,
        context: { all: "ALL" },
        customerGets: {
          value:
            payload.kind === "percentage"
              ? { percentage: payload.value / 100 }
              : { discountAmount: { amount: payload.value.toFixed(2), appliesOnEachItem: false } },
          items: { all: true },
        },
        usageLimit: 1,
        appliesOncePerCustomer: true,
      },
    },
  });
  const answer = answerSchema.parse(await response.json());
  if (answer.errors?.length) throw new Error(`discountCodeBasicCreate: ${answer.errors[0].message}`);
  const result = answer.data?.discountCodeBasicCreate;
  if (!result) throw new Error("discountCodeBasicCreate: empty answer");
  if (result.userErrors.length > 0) {
    // A retried task whose first attempt succeeded finds its code taken: that is success.
    if (result.userErrors.some((e) => e.code === "TAKEN" || /already been taken|must be unique/i.test(e.message))) return "exists";
    throw new Error(`discountCodeBasicCreate: ${result.userErrors.map((e) => `${e.field?.join(".") ?? ""} ${e.message}`).join("; ")}`);
  }
  await recordDiscountCreated(shop, payload.notificationId, { kind: payload.kind, value: payload.value, endsAt: payload.endsAt });
  return "created";
}

/** Runs a reminder step's discount task (plan.server.ts DISCOUNT_TASK) with the shop's offline Admin session. */
export async function runDiscountTask(task: Task, clock: Clock) {
  const payload = payloadSchema.parse(task.payload);
  const { admin } = await unauthenticated.admin(task.shop);
  await createDiscountCode(task.shop, payload, admin, clock.now());
}
