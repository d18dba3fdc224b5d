import { recordMarketingLimited, recordMarketingStopped } from "./consent/marketing-signals.server";
import { sendableParams } from "./flows/link-token.server";
import { recheckFlowStates } from "./flows/recheck.server";
import { createDispatcher as createOutboxDispatcher, type Dispatcher, type DispatcherOptions } from "./outbox/dispatcher.server";
import type { DispatcherDeps } from "./outbox/ports";
import type { WhatsAppClient } from "./whatsapp/client.server";
import { whatsAppClientFromEnv } from "./whatsapp/connection.server";
import { whatsAppSender } from "./whatsapp/outbox-sender.server";

/**
 * Where the outbox meets the folders it must not import: the flows' send-time re-check and link
 * parameters, the WhatsApp sender and the consent record's marketing signals are handed to the
 * dispatcher here, once. Every process (web, worker, sandbox, bench) builds its dispatcher
 * through this module. See docs/decisions/026-outbox-owns-its-tables.md.
 */
export interface EngineOptions extends DispatcherOptions {
  /** The Cloud API client; the one configured by the environment when omitted */
  client?: WhatsAppClient;
}

export function dispatcherDeps(client?: WhatsAppClient): DispatcherDeps {
  let current = client;
  return {
    recheck: recheckFlowStates,
    sendableParams,
    sender: whatsAppSender(() => (current ??= whatsAppClientFromEnv())),
    marketing: {
      limited: recordMarketingLimited,
      stopped: (shop, subscriberId, at) => recordMarketingStopped(shop, subscriberId, at, null),
    },
  };
}

export function createDispatcher({ client, ...options }: EngineOptions = {}): Dispatcher {
  return createOutboxDispatcher(dispatcherDeps(client), options);
}

export function startDispatcher(options: EngineOptions = {}): Dispatcher {
  const dispatcher = createDispatcher(options);
  dispatcher.start();
  return dispatcher;
}
