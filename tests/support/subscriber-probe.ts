import type { FakeWhatsApp } from "../fakes/whatsapp/server";
import { shopperSaysYes, storefrontOptIn, type StorefrontTarget } from "./storefront-optin";

/**
 * The subscriber probe: someone types phone numbers into a storefront form to learn which ones
 * subscribe to the shop. Four numbers are brought into four states over HTTP only (signed
 * storefront opt-ins, the shopper's yes as a signed WhatsApp reply), then the same cart opt-in
 * is posted for each; the answers must not tell them apart. Shared by the integration test and
 * the reliability suite.
 */
export const PROBE_STATES = ["new", "pending", "subscribed", "widening"] as const;
export type ProbeState = (typeof PROBE_STATES)[number];

export interface SubscriberFacts {
  status: string;
  acceptsOffers: boolean;
}

export interface ProbeSetup {
  target: StorefrontTarget;
  whatsapp: FakeWhatsApp;
  phoneNumberId: string;
  /** One number per state, none known to the shop yet */
  phones: Record<ProbeState, string>;
  /** JSON as the blocks' script posts it, or the plain form a browser without it posts */
  format: "json" | "page";
  /** The number's subscriber as the database holds it, null when there is none */
  facts(phone: string): Promise<SubscriberFacts | null>;
}

export interface ProbeAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

export interface ProbeResult {
  answers: Record<ProbeState, ProbeAnswer>;
  /** Whether every answer is byte for byte the first one */
  identical: boolean;
  /** Set-up that went wrong (then the probe proved nothing) or consent it changed without the shopper */
  problems: string[];
}

const EXPECTED: Record<ProbeState, SubscriberFacts | null> = {
  new: null,
  pending: { status: "pending", acceptsOffers: true },
  subscribed: { status: "subscribed", acceptsOffers: true },
  widening: { status: "subscribed", acceptsOffers: false },
};

export async function probeSubscribers(setup: ProbeSetup): Promise<ProbeResult> {
  const { target, phones } = setup;
  const problems: string[] = [];
  const accepted = async (what: string, response: Promise<Response>) => {
    const r = await response;
    if (r.status >= 300) problems.push(`${what}: set-up opt-in answered ${r.status}`);
    await r.body?.cancel();
  };
  // A cart opt-in asks for cart reminders and offers; a restock alert's does not, so the same
  // cart opt-in afterwards asks a restock subscriber for more than they agreed to.
  await accepted("pending", storefrontOptIn(target, phones.pending, "cart"));
  await accepted("subscribed", storefrontOptIn(target, phones.subscribed, "cart"));
  await accepted("widening", storefrontOptIn(target, phones.widening, "product"));
  const yes = await shopperSaysYes(setup.whatsapp, setup.phoneNumberId, [phones.subscribed, phones.widening]);
  if (yes.some((status) => status !== 200)) problems.push(`the shoppers' yes answered ${yes.join(", ")}`);
  for (const state of PROBE_STATES) {
    const facts = await setup.facts(phones[state]);
    const got = facts && { status: facts.status, acceptsOffers: facts.acceptsOffers };
    if (JSON.stringify(got) !== JSON.stringify(EXPECTED[state])) problems.push(`${state}: set up as ${JSON.stringify(got)}`);
  }

  const answers = {} as Record<ProbeState, ProbeAnswer>;
  for (const state of PROBE_STATES) {
    const response = await storefrontOptIn(target, phones[state], "cart", { page: setup.format === "page" });
    answers[state] = { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
  }
  const after = await setup.facts(phones.widening);
  if (after?.acceptsOffers !== false) problems.push("widening: offers granted without the shopper's yes");
  const first = JSON.stringify(answers.new);
  const identical = PROBE_STATES.every((state) => JSON.stringify(answers[state]) === first);
  return { answers, identical, problems };
}
