/**
 * One handler per webhook field Rebound subscribes to (`messages`,
 * `message_template_status_update`, ...). A handler validates its change's value and returns the
 * work that applies it, or the problem that makes it unusable; the webhook applies every usable
 * change and skips the rest (app/whatsapp/webhook.server.ts). A field with no handler is
 * acknowledged and ignored.
 * https://developers.facebook.com/docs/whatsapp/business-management-api/webhooks/components
 */
export interface ChangeContext {
  /** The entry's id: the WhatsApp Business Account the change belongs to */
  accountId: string;
  /** The entry's time (seconds), when Meta gave one */
  time: number | undefined;
}

export type PlannedChange = { ok: true; apply: () => Promise<void> } | { ok: false; problem: string };

export interface FieldHandler {
  field: string;
  plan(value: Record<string, unknown>, context: ChangeContext): PlannedChange;
}

/** The first zod issue as "path message", for a log line that carries no values. */
export function firstIssue(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join(".")} ${issue.message}`.trim() : "invalid";
}
