import { seedDue, seedSubscribers } from "../../bench/seed";
import { cartPayload, checkoutPayload, shopifyNumericId } from "../fakes/shopify/payloads";
import { sendWebhook } from "../fakes/shopify/webhooks";
import { checkoutOptIn, shopperSaysYes, storefrontOptIn, type StorefrontTarget } from "../support/storefront-optin";
import { PROBE_STATES, probeSubscribers } from "../support/subscriber-probe";
import type { Attack } from "./attacks";
import { API_KEY, SECRET, sleep, terminateBackends, until, type Harness } from "./harness";

/**
 * Attacks on consent, each made over HTTP as an outsider makes it (a storefront form signed by
 * Shopify's app proxy, a checkout extension's session token, WhatsApp's signed webhooks), each
 * with the refusal that keeps the shopper's consent theirs.
 */
const SHOP = { shop: "consent-chaos.myshopify.com", phoneNumberId: "5701", wabaId: "6701", token: "token-consent-chaos", messagesPerSecond: 80 };
/** One message a second: a claimed batch is still being sent while the STOPs land. */
const RACE = { shop: "stop-race-chaos.myshopify.com", phoneNumberId: "5801", wabaId: "6801", token: "token-stop-race", messagesPerSecond: 1 };

const installed = new WeakMap<Harness, Promise<void>>();

async function install(h: Harness, seed: typeof SHOP) {
  await h.addShop(seed);
  await h.sql(`INSERT INTO "Session" (id, shop, state, "isOnline", "accessToken", scope) VALUES ($1, $2, '', false, 'shpat_consent', 'read_products')`, [
    `offline_${seed.shop}`,
    seed.shop,
  ]);
}

function ready(h: Harness): Promise<void> {
  let done = installed.get(h);
  if (!done) {
    done = Promise.all([install(h, SHOP), install(h, RACE)]).then(() => undefined);
    installed.set(h, done);
  }
  return done;
}

const target = (h: Harness): StorefrontTarget => ({ appUrl: h.url, secret: SECRET, shop: SHOP.shop });

let phones = 0;
/** A number no attack has used yet */
const freshPhone = () => `+3469${String(5_000_000 + ++phones).padStart(7, "0")}`;

interface SubscriberRow {
  id: string;
  status: string;
  scope: string;
  acceptsOffers: boolean;
}

async function subscriber(h: Harness, phone: string, shop = SHOP.shop): Promise<SubscriberRow | null> {
  const [row] = await h.sql<SubscriberRow>(`SELECT id, status::text, scope::text, "acceptsOffers" FROM "Subscriber" WHERE shop = $1 AND phone = $2`, [shop, phone]);
  return row ?? null;
}

const statusOf = async (response: Promise<Response>) => {
  const r = await response;
  await r.body?.cancel();
  return r.status;
};

/** A restock subscriber's number typed into the cart block by someone else: no offers, no cart, until their own yes. */
const consentWidening: Attack = async (h) => {
  await ready(h);
  const phone = freshPhone();
  const signedUp = await statusOf(storefrontOptIn(target(h), phone, "product"));
  const confirmed = await shopperSaysYes(h.fake, SHOP.phoneNumberId, [phone]);
  const before = await subscriber(h, phone);
  const cart = `widening-${phone.slice(-6)}`;
  const attack = await statusOf(storefrontOptIn(target(h), phone, "cart", { cartToken: cart }));
  const during = await subscriber(h, phone);
  const [{ linked }] = await h.sql<{ linked: number }>(`SELECT count(*)::int AS linked FROM "Cart" WHERE shop = $1 AND token = $2 AND "subscriberId" IS NOT NULL`, [SHOP.shop, cart]);
  // The shopper's own yes is what applies it: the check can tell the two apart.
  const yes = await shopperSaysYes(h.fake, SHOP.phoneNumberId, [phone]);
  const after = await subscriber(h, phone);
  const unchanged = !!before && !!during && before.status === "subscribed" && !before.acceptsOffers && during.scope === before.scope && !during.acceptsOffers && during.status === "subscribed";
  const refused = signedUp === 200 && attack === 200 && confirmed[0] === 200 && yes[0] === 200 && unchanged && linked === 0 && after?.acceptsOffers === true;
  return { name: "consent_widening", refused, detail: { before, during, cart_linked: linked, after_yes: after && { acceptsOffers: after.acceptsOffers } } };
};

/** Varying the X-Forwarded-For entries a caller writes itself does not reset the per-address limit. */
const spoofedForwardedFor: Attack = async (h) => {
  await ready(h);
  const statuses: number[] = [];
  const numbers: string[] = [];
  for (let i = 0; i < 22; i++) {
    numbers.push(freshPhone());
    // The caller writes any first entries; Shopify's proxy appends the address it saw.
    statuses.push(await statusOf(storefrontOptIn(target(h), numbers[i], "product", { variantId: "9700", forwardedFor: `10.${i}.${i}.1, 203.0.113.${200 + (i % 2)}, 192.0.2.150` })));
  }
  const [{ n: stored }] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "Subscriber" WHERE shop = $1 AND phone = ANY($2)`, [SHOP.shop, numbers.slice(20)]);
  const refused = statuses.slice(0, 20).every((s) => s === 200) && statuses.slice(20).every((s) => s === 429) && stored === 0;
  return { name: "spoofed_forwarded_for", refused, detail: { statuses: statuses.slice(18), refused_rows_stored: stored } };
};

/** Someone who saw a cart or checkout token opts in with it and their own number: both stay the owner's. */
const cartRepointing: Attack = async (h) => {
  await ready(h);
  const line = { variantId: shopifyNumericId(), productId: shopifyNumericId(), title: "Beans", quantity: 1, price: "12.00" };
  const cart = cartPayload({ lines: [line], updatedAt: new Date() });
  const checkout = checkoutPayload({ cartToken: cart.token, lines: [line], updatedAt: new Date() });
  const webhooks = [
    await statusOf(sendWebhook(h.url, SECRET, { topic: "carts/create", shop: SHOP.shop, payload: cart })),
    await statusOf(sendWebhook(h.url, SECRET, { topic: "checkouts/create", shop: SHOP.shop, payload: checkout })),
  ];
  const owner = freshPhone();
  const intruder = freshPhone();
  const answers = [
    await statusOf(storefrontOptIn(target(h), owner, "cart", { cartToken: cart.token })),
    await statusOf(checkoutOptIn({ ...target(h), apiKey: API_KEY }, owner, { checkoutToken: checkout.token })),
    await statusOf(storefrontOptIn(target(h), intruder, "cart", { cartToken: cart.token })),
    await statusOf(checkoutOptIn({ ...target(h), apiKey: API_KEY }, intruder, { checkoutToken: checkout.token })),
  ];
  const ownerRow = await subscriber(h, owner);
  const [{ subscriberId: cartOwner }] = await h.sql<{ subscriberId: string | null }>(`SELECT "subscriberId" FROM "Cart" WHERE shop = $1 AND token = $2`, [SHOP.shop, cart.token]);
  const [{ subscriberId: checkoutOwner }] = await h.sql<{ subscriberId: string | null }>(`SELECT "subscriberId" FROM "Checkout" WHERE shop = $1 AND token = $2`, [SHOP.shop, checkout.token]);
  const refused = webhooks.every((s) => s === 200) && answers.every((s) => s === 200) && !!ownerRow && cartOwner === ownerRow.id && checkoutOwner === ownerRow.id;
  return { name: "cart_repointing", refused, detail: { webhooks, answers, cart_keeps_owner: cartOwner === ownerRow?.id, checkout_keeps_owner: checkoutOwner === ownerRow?.id } };
};

/**
 * Shoppers reply STOP (signed WhatsApp webhooks) while a dispatcher holds their messages in a
 * claimed batch, paced at one a second behind a send WhatsApp has not answered yet. Only the
 * sends already at WhatsApp may go; every stopped shopper's message must not reach it.
 */
const stopRacingBatch: Attack = async (h) => {
  await ready(h);
  const count = 6;
  await seedSubscribers(h.app, RACE.shop, "race", count, 9_600_000);
  await seedDue(h.app, RACE.shop, "race", count);
  const ids = Array.from({ length: count }, (_, i) => `race-${i + 1}-msg`);
  const mine = new Set(ids);
  const heldOfRace = () => h.fake.heldCallbackData.filter((id): id is string => id !== null && mine.has(id));
  h.fake.hold();
  let stopAnswers: number[] = [];
  let stopped: string[] = [];
  // Sends at WhatsApp by the time every STOP was answered: they may have passed their re-check
  // before the STOP; any other message of a stopped shopper reaching WhatsApp is a violation.
  let early: string[] = [];
  try {
    await h.app.call("startDispatcher");
    await until("a send of the batch at WhatsApp", () => heldOfRace().length > 0, 30_000);
    const first = heldOfRace();
    stopped = ids.filter((id) => !first.includes(id));
    const rows = await h.sql<{ phone: string }>(`SELECT phone FROM "Subscriber" WHERE shop = $1 AND id = ANY($2)`, [
      RACE.shop,
      stopped.map((id) => id.replace(/-msg$/, "")),
    ]);
    stopAnswers = await Promise.all(rows.map(async (r) => (await h.fake.sendInbound(RACE.phoneNumberId, r.phone, { text: "STOP" })).status));
    early = heldOfRace();
  } finally {
    h.fake.releaseHeld();
  }
  try {
    await until(
      "the race batch to finish",
      async () => (await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "Notification" WHERE shop = $1 AND status IN ('scheduled', 'sending')`, [RACE.shop]))[0].n === 0,
      60_000,
    );
  } finally {
    await h.app.call("stopDispatcher");
  }
  const counts = h.fake.acceptedCounts();
  const late = stopped.filter((id) => !early.includes(id));
  const rows = await h.sql<{ id: string; status: string; decisionReason: string | null }>(
    `SELECT id, status::text, "decisionReason" FROM "Notification" WHERE id = ANY($1)`,
    [late],
  );
  const sentAfterStop = late.filter((id) => (counts.get(id) ?? 0) > 0);
  const refused =
    late.length > 0 &&
    stopAnswers.length === stopped.length &&
    stopAnswers.every((s) => s === 200) &&
    sentAfterStop.length === 0 &&
    rows.length === late.length &&
    rows.every((r) => r.status === "skipped" && r.decisionReason === "consent_unsubscribed") &&
    early.every((id) => counts.get(id) === 1);
  return {
    name: "stop_racing_claimed_batch",
    refused,
    detail: { at_whatsapp_before_stops: early.length, stopped_in_batch: late.length, sent_after_stop: sentAfterStop.length, stopped_rows: rows.map((r) => `${r.status}:${r.decisionReason}`) },
  };
};

/** More cuts than the app's pool has connections: one kept by each cut would leave it none. */
const CUTS = 11;

/**
 * The app's database connection is cut while it applies a STOP, after the webhook's receipt was
 * written in the same transaction: Meta's retry of the very same signed delivery must still
 * apply it (a receipt committed on its own would make the retry a "duplicate"), and only once.
 * Cut again and again, the app must keep answering (no connection lost for good with each cut).
 */
async function cutDuringStop(h: Harness, round: number) {
  const id = `crash${round}-1`;
  await seedSubscribers(h.app, SHOP.shop, `crash${round}`, 1, 9_700_000 + round * 10);
  const [{ phone }] = await h.sql<{ phone: string }>(`SELECT phone FROM "Subscriber" WHERE id = $1`, [id]);
  const delivery = h.fake.inboundPayload(SHOP.phoneNumberId, phone, { text: "STOP" });
  // The effect hangs (its ledger row), so the cut lands between the receipt and the effect.
  await h.sql(`CREATE OR REPLACE FUNCTION chaos_hang() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(10); RETURN NEW; END $$`);
  await h.sql(`CREATE TRIGGER chaos_hang BEFORE INSERT ON "ConsentEvent" FOR EACH ROW EXECUTE FUNCTION chaos_hang()`);
  let first = 0;
  let cut = 0;
  try {
    const answer = h.fake.deliver(delivery).then((r) => r.status, () => 0);
    await until(
      "the STOP to hang in its transaction",
      async () => (await h.sql(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'PgSleep'`, [h.appApplicationName])).length > 0,
      10_000,
    );
    cut = await terminateBackends(h, h.appApplicationName);
    first = await answer;
  } finally {
    await h.sql(`DROP TRIGGER IF EXISTS chaos_hang ON "ConsentEvent"`);
  }
  const afterCrash = await subscriber(h, phone);
  // Meta retries a delivery that was not answered 200; the pool may hand out a cut connection once more.
  const retries: number[] = [];
  for (let attempt = 0; attempt < 4 && retries.at(-1) !== 200; attempt++) {
    if (attempt > 0) await sleep(500);
    retries.push((await h.fake.deliver(delivery)).status);
  }
  const afterRetry = await subscriber(h, phone);
  const again = (await h.fake.deliver(delivery)).status;
  const [{ n: optOuts }] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "ConsentEvent" WHERE "subscriberId" = $1 AND kind = 'opt_out'`, [id]);
  const applied = cut > 0 && first >= 500 && afterCrash?.status === "subscribed" && retries.at(-1) === 200 && afterRetry?.status === "unsubscribed" && again === 200 && optOuts === 1;
  return { applied, detail: { connections_cut: cut, first, after_crash: afterCrash?.status, retries, after_retry: afterRetry?.status, replay: again, opt_outs: optOuts } };
}

const crashBetweenReceiptAndEffect: Attack = async (h) => {
  await ready(h);
  const rounds: Array<Awaited<ReturnType<typeof cutDuringStop>>> = [];
  for (let round = 1; round <= CUTS && rounds.every((r) => r.applied); round++) rounds.push(await cutDuringStop(h, round));
  const failed = rounds.find((r) => !r.applied);
  return { name: "crash_between_receipt_and_effect", refused: rounds.length === CUTS && !failed, detail: { rounds: rounds.length, first: rounds[0]?.detail, failed: failed?.detail } };
};

/** New, pending, subscribed and widening numbers posted alike must be answered alike. */
const subscriberProbe: Attack = async (h) => {
  await ready(h);
  const numbers = Object.fromEntries(PROBE_STATES.map((state) => [state, freshPhone()])) as Record<(typeof PROBE_STATES)[number], string>;
  const { answers, identical, problems } = await probeSubscribers({
    target: target(h),
    whatsapp: h.fake,
    phoneNumberId: SHOP.phoneNumberId,
    phones: numbers,
    format: "json",
    facts: (phone) => subscriber(h, phone),
  });
  const refused = identical && problems.length === 0 && answers.new.status === 200;
  return { name: "subscriber_probe", refused, detail: { statuses: PROBE_STATES.map((s) => answers[s].status), identical, problems } };
};

export const CONSENT_ATTACKS: Attack[] = [consentWidening, spoofedForwardedFor, cartRepointing, stopRacingBatch, crashBetweenReceiptAndEffect, subscriberProbe];
