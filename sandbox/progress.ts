/**
 * The sandbox's live display: one line per thing that happens (webhooks in, messages out,
 * statuses back, clicks, orders), stamped with the simulated time in the shop's zone, and a
 * running tally the scenario updates as it goes.
 */
export type ProgressKind = "setup" | "webhook" | "optin" | "message" | "status" | "reply" | "click" | "order" | "policy" | "note";

const ICON: Record<ProgressKind, string> = {
  setup: "⚙",
  webhook: "⇢",
  optin: "✚",
  message: "✉",
  status: "✓",
  reply: "↩",
  click: "↗",
  order: "€",
  policy: "⏸",
  note: "•",
};

export class Progress {
  private readonly counts = new Map<ProgressKind, number>();
  private readonly format: Intl.DateTimeFormat;

  constructor(
    timeZone: string,
    private readonly quiet = false,
  ) {
    this.format = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit" });
  }

  log(at: Date, kind: ProgressKind, text: string) {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    if (!this.quiet) console.log(`${this.format.format(at).padEnd(9)} ${ICON[kind]} ${text}`);
  }

  tally(): string {
    const parts: Array<[ProgressKind, string]> = [
      ["webhook", "webhooks"],
      ["optin", "opt-ins"],
      ["message", "messages"],
      ["click", "clicks"],
      ["order", "orders"],
    ];
    return parts.map(([kind, label]) => `${this.counts.get(kind) ?? 0} ${label}`).join(" · ");
  }
}
