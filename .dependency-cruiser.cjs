/* global module */
/**
 * The import rules `npm run lint:deps` checks (part of `npm run lint`).
 * The layers and why: docs/decisions/026-outbox-owns-its-tables.md. Folder cycles (two folders of
 * the app importing each other, through any path) are checked by scripts/folder-cycles.ts.
 */

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A module must not import one that imports it back, directly or through others.",
      from: {},
      to: { circular: true },
    },
    {
      name: "outbox-not-to-flows",
      severity: "error",
      comment:
        "Flows plan messages into the outbox; the outbox gets the flows' send-time re-check and link parameters " +
        "passed in (app/engine.server.ts), never by import.",
      from: { path: "^app/outbox/" },
      to: { path: "^app/flows/" },
    },
    {
      name: "outbox-not-to-whatsapp",
      severity: "error",
      comment:
        "WhatsApp reports statuses to the outbox; the outbox sends through the MessageSender it is given " +
        "(app/whatsapp/outbox-sender.server.ts, wired in app/engine.server.ts).",
      from: { path: "^app/outbox/" },
      to: { path: "^app/whatsapp/" },
    },
    {
      name: "outbox-not-to-consent",
      severity: "error",
      comment:
        "Consent cancels and schedules through the outbox; what a send teaches about a shopper's marketing " +
        "consent reaches app/consent through the MarketingSignals the dispatcher is given.",
      from: { path: "^app/outbox/" },
      to: { path: "^app/consent/" },
    },
    {
      name: "outbox-below-the-domain",
      severity: "error",
      comment:
        "The outbox is called by routes, domain modules, flows and privacy; it never calls them back. " +
        "(Its one webhooks import is the SQL timestamp helper, which imports nothing of the app.)",
      from: { path: "^app/outbox/" },
      to: { path: "^app/(routes|components|admin|privacy|shops|orders|carts|checkouts|catalog|subscribers|maintenance|i18n)/|^app/webhooks/(?!sql[.]server)" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(build|node_modules)/" },
    tsConfig: { fileName: "tsconfig.json" },
    // Type-only imports count: a cycle of types is still a cycle of folders a reader must follow.
    tsPreCompilationDeps: true,
  },
};
