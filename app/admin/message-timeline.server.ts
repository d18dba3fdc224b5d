import prisma from "../db.server";
import { maskPhone } from "../consent/phone.server";

/**
 * One message and what happened to it, merged from the Notification row's timestamps and its
 * NotificationEvent rows (gate decisions, status callbacks). Read only through (id, shop): an id
 * from another shop is simply not found.
 */
export type TimelineKind = "planned" | "decision" | "sent" | "delivered" | "read" | "clicked" | "failed" | "event";

export interface TimelineEntry {
  kind: TimelineKind;
  at: string;
  label: string;
  detail: string | null;
}

export async function loadMessage(shop: string, id: string) {
  const row = await prisma.notification.findFirst({
    where: { id, shop },
    include: { events: { where: { shop }, orderBy: { at: "asc" } } },
  });
  if (!row) return null;
  const subscriber = row.subscriberId
    ? await prisma.subscriber.findFirst({ where: { id: row.subscriberId, shop }, select: { phone: true } })
    : null;

  // A row's creation is its planning, on every path (a flow's plan, a fan-out).
  const planned = describeDetail({ sendAt: row.sendAt.toISOString() });
  const entries: TimelineEntry[] = [{ kind: "planned", at: row.createdAt.toISOString(), label: "planned", detail: planned }];
  const seen = new Set<string>(["planned"]);
  for (const event of row.events) {
    const kind = knownKind(event.kind);
    // Rows planned before the creation time stood for it also have a "planned" event: shown once.
    if (kind === "planned") continue;
    seen.add(kind);
    entries.push({ kind, at: event.at.toISOString(), label: event.kind, detail: describeDetail(event.detail) });
  }
  // Rows written before the event log (or by a status callback that only touched the row)
  // still show their milestones.
  const milestones: Array<[TimelineKind, Date | null]> = [
    ["sent", row.sentAt], ["delivered", row.deliveredAt], ["read", row.readAt], ["clicked", row.clickedAt], ["failed", row.failedAt],
  ];
  for (const [kind, at] of milestones) {
    if (at && !seen.has(kind)) entries.push({ kind, at: at.toISOString(), label: kind, detail: null });
  }
  if (row.decision && !seen.has("decision")) {
    entries.push({ kind: "decision", at: row.updatedAt.toISOString(), label: row.decision, detail: row.decisionReason });
  }
  entries.sort((a, b) => a.at.localeCompare(b.at));

  return {
    id: row.id,
    flow: row.flow,
    status: row.status,
    step: row.step,
    templateName: row.templateName,
    templateLanguage: row.templateLanguage,
    recipient: subscriber ? maskPhone(subscriber.phone) : null,
    sendAt: row.sendAt.toISOString(),
    decision: row.decision,
    decisionReason: row.decisionReason,
    error: row.errorCode !== null || row.errorTitle
      ? { code: row.errorCode, title: row.errorTitle, details: row.errorDetails }
      : null,
    timeline: entries,
  };
}

function knownKind(kind: string): TimelineKind {
  const k = kind.toLowerCase();
  if (k === "planned" || k === "scheduled") return "planned";
  if (k.startsWith("gate") || k === "decision" || k === "skipped" || k === "deferred" || k === "held_out") return "decision";
  if (k === "sent" || k === "delivered" || k === "read" || k === "clicked" || k === "failed") return k;
  return "event";
}

/** Event details are small JSON objects; show their reason or a compact key=value line. */
function describeDetail(detail: unknown): string | null {
  if (detail === null || detail === undefined) return null;
  if (typeof detail !== "object") return String(detail);
  const record = detail as Record<string, unknown>;
  if (typeof record.reason === "string") return record.reason;
  const parts = Object.entries(record)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== "object")
    .map(([k, v]) => `${k}: ${String(v)}`);
  return parts.length ? parts.join(", ") : null;
}
