import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabaseEnv } from "../../support/server";
import type { StatusUpdate } from "../../../app/whatsapp/webhook-payload";
import { applyStatusUpdate } from "../../../app/whatsapp/status-updates.server";
import { closeDatabase } from "../../../app/db.server";
import * as db from "../../../app/db.server";
import { claimDue } from "../../../app/outbox/claim.server";

/**
 * Status webhooks are applied in groups: those that arrive while one statement runs go together
 * in the next (app/whatsapp/status-updates.server.ts). Called here without waiting in between,
 * the first goes alone and the rest form the next group.
 */
let drop: () => Promise<void>;
let prisma: typeof import("../../../app/db.server").default;
const shop = "statuses.myshopify.com";
const phoneNumberId = "8801";
const now = () => String(Math.floor(Date.now() / 1000));

beforeAll(async () => {
  drop = await isolatedDatabaseEnv();
  await db.databaseReady();
  prisma = db.default;
  await prisma.shop.create({
    data: { shop, connection: { create: { phoneNumberId, businessAccountId: "8802", accessTokenEnc: "unused" } } },
  });
});

afterAll(async () => {
  await closeDatabase();
  await drop();
});

let n = 0;
/** A message WhatsApp accepted: sent, or still `sending` when its send is not recorded yet. */
async function message(status: "sent" | "sending" = "sent") {
  n++;
  const wa = `wamid.unit-${n}`;
  const row = await prisma.notification.create({
    data: {
      shop,
      flow: "promotion",
      dedupKey: `k${n}`,
      templateName: "t",
      sendAt: new Date(),
      status,
      waMessageId: status === "sent" ? wa : null,
      leaseOwner: status === "sending" ? "gone" : null,
      leaseUntil: status === "sending" ? new Date(Date.now() + 60_000) : null,
    },
  });
  return { id: row.id, wa };
}

const status = (m: { id: string; wa: string }, kind: string, extra: Partial<StatusUpdate> = {}): StatusUpdate => ({
  id: m.wa,
  status: kind,
  timestamp: now(),
  biz_opaque_callback_data: m.id,
  ...extra,
});

describe("status webhooks applied in groups", () => {
  it("applies statuses of many messages together, and one the database refuses fails alone", async () => {
    const messages = await Promise.all(Array.from({ length: 5 }, () => message()));
    const refused = await message();
    const outcomes = await Promise.allSettled([
      applyStatusUpdate(phoneNumberId, status(messages[0], "delivered")),
      // In the second group with the other four: PostgreSQL stores no NUL character in text.
      applyStatusUpdate(phoneNumberId, status(refused, "failed", { errors: [{ code: 131026, title: "bad\u0000title" }] })),
      ...messages.slice(1).map((m) => applyStatusUpdate(phoneNumberId, status(m, "delivered"))),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect(outcomes.filter((o) => o.status === "fulfilled").map((o) => o.value)).toEqual(messages.map(() => "applied"));
    const rows = await prisma.notification.findMany({ where: { id: { in: messages.map((m) => m.id) } } });
    expect(rows.map((r) => r.status)).toEqual(messages.map(() => "delivered"));
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: refused.id } })).status).toBe("sent");
    expect(await prisma.webhookReceipt.count({ where: { eventId: `wa:status:${refused.wa}:failed` } })).toBe(0);
  });

  it("takes one message's statuses in one group one after another, forward only, each once", async () => {
    const m = await message("sending");
    const outcomes = await Promise.all(
      ["sent", "read", "delivered", "sent", "read"].map((kind) => applyStatusUpdate(phoneNumberId, status(m, kind))),
    );
    expect(outcomes).toEqual(["applied", "applied", "stale", "duplicate", "duplicate"]);
    const row = await prisma.notification.findUniqueOrThrow({ where: { id: m.id } });
    expect(row).toMatchObject({ status: "read", waMessageId: m.wa, leaseOwner: "gone" });
    expect(row.sentAt).not.toBeNull();
    expect(row.deliveredAt).not.toBeNull();
    const kinds = (await prisma.notificationEvent.findMany({ where: { notificationId: m.id } })).map((e) => e.kind).sort();
    expect(kinds).toEqual(["read", "sent"]);
  });

  it("closes the window of a send no worker recorded: the row leaves `sending`, its lease no longer matters", async () => {
    const m = await message("sending");
    expect(await applyStatusUpdate(phoneNumberId, status(m, "sent"))).toBe("applied");
    const row = await prisma.notification.findUniqueOrThrow({ where: { id: m.id } });
    expect(row).toMatchObject({ status: "sent", waMessageId: m.wa });
    expect((await claimDue("next", 100, 1_000, new Date(Date.now() + 120_000))).map((r) => r.id)).not.toContain(m.id);
  });

  it("ignores statuses it does not track, and records nothing for a message or number it does not know", async () => {
    const m = await message();
    const receipts = await prisma.webhookReceipt.count();
    expect(await applyStatusUpdate(phoneNumberId, status(m, "deleted"))).toBe("ignored");
    expect(await applyStatusUpdate(phoneNumberId, status(m, "toString"))).toBe("ignored");
    expect(await applyStatusUpdate(phoneNumberId, { id: "wamid.nobody", status: "read", timestamp: now() })).toBe("unknown_message");
    expect(await applyStatusUpdate("8899", status(m, "read"))).toBe("unknown_message");
    // The callback data of a row that carries another message id does not find it.
    expect(await applyStatusUpdate(phoneNumberId, { ...status(m, "read"), id: "wamid.other" })).toBe("unknown_message");
    expect(await prisma.webhookReceipt.count()).toBe(receipts);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: m.id } })).status).toBe("sent");
  });

  it("a failure after delivery is ignored; a failure while sent keeps Meta's words", async () => {
    const delivered = await message();
    const sent = await message();
    const error = { code: 131026, title: "Message undeliverable", error_data: { details: "Unable to deliver message." } };
    const outcomes = await Promise.all([
      applyStatusUpdate(phoneNumberId, status(delivered, "delivered")),
      applyStatusUpdate(phoneNumberId, status(delivered, "failed", { errors: [error] })),
      applyStatusUpdate(phoneNumberId, status(sent, "failed", { errors: [error] })),
    ]);
    expect(outcomes).toEqual(["applied", "stale", "applied"]);
    expect(await prisma.notification.findUniqueOrThrow({ where: { id: sent.id } })).toMatchObject({
      status: "failed",
      errorCode: 131026,
      errorTitle: "Message undeliverable",
      errorDetails: "Unable to deliver message.",
    });
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: delivered.id } })).status).toBe("delivered");
  });
});
