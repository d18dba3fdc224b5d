import prisma from "../app/db.server";
import { env } from "../app/env.server";
import { recordInstall } from "../app/shops/shop.server";
import { unauthenticated } from "../app/shopify.server";
import { sendTestMessage } from "../app/admin/whatsapp-connection.server";
import { runTemplatesAction } from "../app/admin/template-library.server";
import { saveFlowSetting } from "../app/flows/flow-settings.server";
import { launchCampaign } from "../app/flows/promotion.server";
import { CONFIRM_PAYLOAD, STOP_PAYLOAD } from "../app/consent/keywords";
import {
  cartPayload,
  checkoutPayload,
  inventoryLevelPayload,
  orderPayload,
  productPayload,
  type LineInput,
} from "../tests/fakes/shopify/payloads";
import { DESKTOP_CHROME_UA, proxyFetch } from "../tests/fakes/shopify/app-proxy";
import { sendWebhook } from "../tests/fakes/shopify/webhooks";
import { signSessionToken } from "../tests/fakes/shopify/session-token";
import type { AcceptedMessage } from "../tests/fakes/whatsapp/server";
import { Progress } from "./progress";
import type { SandboxServices } from "./services";
import { WEEK_START } from "./services";
import { CATALOGUE, DEMO_COLLECTION, DEMO_CURRENCY, DEMO_SHOP_NAME, DEMO_TIMEZONE, SHOPPERS, type DemoShopper } from "./store";
import { DEMO_LIBRARY_LANGUAGES, DEMO_NUMBER } from "./templates";

/**
 * A week at the demo store, played in simulated time through the app's real endpoints:
 * signed webhooks, signed app-proxy opt-ins, WhatsApp replies and statuses signed like Meta,
 * clicks on /r/:token. The clock jumps from one moment to the next thing that is due (a
 * scenario event, a scheduled message, a deferred task), so a week takes seconds while every
 * delay, quiet hour and cap plays out as it would in real time.
 */
const HOUR = 3_600_000;
const MINUTE = 60_000;
const WEEK_END = new Date(WEEK_START.getTime() + 7 * 24 * HOUR);

/** Day 0 is Monday; times are the shop's local time (Europe/Madrid, UTC+1 in November). */
const at = (day: number, hour: number, minute = 0) =>
  new Date(WEEK_START.getTime() + day * 24 * HOUR + (hour - 9) * HOUR + minute * MINUTE);

type Behaviour = {
  /** Does not confirm the double opt-in */
  neverConfirms?: boolean;
  /** Clicks and buys after a message of this flow (and step, for abandoned carts) */
  buysAfter?: { flow: string; step?: number; delayMinutes: number };
  /** Taps "Stop promotions" on the first marketing message */
  stopsOnFirstMarketing?: boolean;
  /** Leaves the message unread */
  ignores?: boolean;
};

interface Scene {
  at: Date;
  what: string;
  run: () => Promise<void>;
}

const variantOf = (handle: string, title: string) => {
  const product = CATALOGUE.find((p) => p.handle === handle)!;
  const variant = product.variants.find((v) => v.title === title)!;
  return { product, variant };
};

function line(handle: string, title: string, quantity = 1, properties?: LineInput["properties"]): LineInput {
  const { product, variant } = variantOf(handle, title);
  return { variantId: variant.id, productId: product.id, title: `${product.title} - ${variant.title}`, quantity, price: variant.price, sku: variant.sku, properties };
}

const shopper = (name: string) => SHOPPERS.find((s) => s.name === name)!;

export async function playWeek(s: SandboxServices, options: { quiet: boolean }) {
  const progress = new Progress(DEMO_TIMEZONE, options.quiet);
  const now = () => s.clock.now();
  const behaviours = new Map<string, Behaviour>();
  const scenes: Scene[] = [];
  const scene = (when: Date, what: string, run: () => Promise<void>) => scenes.push({ at: when, what, run });
  const carts = new Map<string, { token: string; lines: LineInput[] }>();
  let ip = 10;

  // ---- how the outside world talks to the app -------------------------------------------------
  async function webhook(topic: string, payload: unknown) {
    const response = await sendWebhook(s.appUrl, s.secret, { topic, shop: s.shop, payload, triggeredAt: now() });
    if (response.status !== 200) throw new Error(`${topic} answered ${response.status}: ${await response.text()}`);
    progress.log(now(), "webhook", topic);
  }

  /** A form post from the embedded admin: a fresh session token, as App Bridge attaches it. */
  function adminPost(path: string, form: Record<string, string>) {
    return fetch(`${s.appUrl}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: {
        Authorization: `Bearer ${signSessionToken({ shop: s.shop, apiKey: s.apiKey, secret: s.secret })}`,
        "User-Agent": DESKTOP_CHROME_UA,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(form),
    });
  }

  async function optIn(who: DemoShopper, form: Record<string, unknown>) {
    const response = await proxyFetch(
      s.appUrl,
      s.secret,
      { shop: s.shop, path: "/optin", customerId: "" },
      {
        body: JSON.stringify({
          phone: who.phone,
          consentText: `Send me WhatsApp messages from ${DEMO_SHOP_NAME}. Reply STOP to stop.`,
          textVersion: "2026-11",
          locale: who.locale,
          ...form,
        }),
        contentType: "application/json",
        forwardedFor: `198.51.100.${ip++}`,
      },
    );
    if (!response.ok) throw new Error(`opt-in for ${who.name} answered ${response.status}: ${await response.text()}`);
    progress.log(now(), "optin", `${who.name} opted in (${String(form.source)})`);
  }

  async function reply(who: DemoShopper, message: { text: string } | { buttonPayload: string; buttonText: string }) {
    await s.whatsapp.sendInbound(DEMO_NUMBER.phoneNumberId, who.phone, message);
    progress.log(now(), "reply", `${who.name}: ${"text" in message ? message.text : message.buttonText}`);
  }

  async function order(who: DemoShopper, lines: LineInput[], extra: { cartToken?: string; checkoutToken?: string; placedAt?: Date } = {}) {
    const placedAt = extra.placedAt ?? now();
    const customer = { id: who.customerId, email: who.email, phone: who.phone, firstName: who.name };
    const payload = orderPayload({
      cartToken: extra.cartToken ?? null,
      checkoutToken: extra.checkoutToken ?? null,
      email: who.email,
      phone: who.phone,
      customer,
      lines,
      createdAt: placedAt,
      updatedAt: placedAt,
      financialStatus: "paid",
      currency: DEMO_CURRENCY,
    });
    await webhook("orders/create", payload);
    await webhook("orders/paid", payload);
    const total = lines.reduce((sum, l) => sum + Number(l.price) * l.quantity, 0);
    if (!extra.placedAt) progress.log(now(), "order", `${who.name} ordered ${total.toFixed(2)} ${DEMO_CURRENCY}`);
    return payload.id;
  }

  async function abandonCart(who: DemoShopper, lines: LineInput[], source: "cart_block" | "cart_embed" = "cart_block") {
    const created = cartPayload({ lines: lines.slice(0, 1), updatedAt: now(), createdAt: now(), currency: DEMO_CURRENCY });
    carts.set(who.name, { token: created.token, lines });
    await webhook("carts/create", created);
    await optIn(who, { source, cartToken: created.token, country: who.phone.startsWith("+34") ? "ES" : undefined });
    await webhook("carts/update", cartPayload({ token: created.token, lines, updatedAt: new Date(now().getTime() + MINUTE), currency: DEMO_CURRENCY }));
  }

  // ---- the merchant sets up Rebound -----------------------------------------------------------
  scene(at(0, 8, 30), "install", async () => {
    await prisma.session.create({
      data: { id: `offline_${s.shop}`, shop: s.shop, state: "", isOnline: false, scope: env().SCOPES, accessToken: s.accessToken },
    });
    const { admin } = await unauthenticated.admin(s.shop);
    await recordInstall(s.shop, admin);
    progress.log(now(), "setup", `${DEMO_SHOP_NAME} installed Rebound`);
    // What Meta's popup does when the merchant finishes Embedded Signup: a code for the number,
    // posted with the session-info ids to the settings page's action, as the admin page posts it.
    const { code } = s.whatsapp.signup.issueCode(DEMO_NUMBER.phoneNumberId);
    const connect = await adminPost("/app/settings", { intent: "signup", code, phoneNumberId: DEMO_NUMBER.phoneNumberId, businessAccountId: DEMO_NUMBER.wabaId });
    const connected = await prisma.whatsAppConnection.findUnique({ where: { shop: s.shop } });
    if (connect.status !== 200 || connected?.connectedVia !== "signup") throw new Error(`connecting WhatsApp failed: ${connect.status} ${await connect.text()}`);
    if (!s.whatsapp.signup.isSubscribed(DEMO_NUMBER.wabaId) || !s.whatsapp.signup.registrations.has(DEMO_NUMBER.phoneNumberId)) {
      throw new Error("Embedded Signup did not subscribe the app or register the number");
    }
    progress.log(now(), "setup", "WhatsApp connected through Embedded Signup (app subscribed, number registered); templates syncing");
    await s.drain();
    // The merchant presses "Submit all" on the templates page: the same action, task and calls.
    const submitted = await runTemplatesAction(s.shop, { intent: "submit_all", languages: DEMO_LIBRARY_LANGUAGES.join(",") }, now());
    if (!submitted.ok) throw new Error(`submitting the template library failed: ${submitted.error}`);
    await s.drain();
    await s.whatsapp.review.settled();
    const library = await prisma.messageTemplate.groupBy({ by: ["status"], where: { shop: s.shop, origin: "library" }, _count: { _all: true } });
    const approved = library.find((g) => g.status === "APPROVED")?._count._all ?? 0;
    const total = library.reduce((sum, g) => sum + g._count._all, 0);
    progress.log(now(), "setup", `template library submitted (${total} templates); WhatsApp approved ${approved}`);
    const enable = async (flow: Parameters<typeof saveFlowSetting>[1], config: unknown, holdoutPercent = 0) => {
      const result = await saveFlowSetting(s.shop, flow, { enabled: true, config, holdoutPercent });
      if (!result.ok) throw new Error(`enabling ${flow} failed: ${JSON.stringify(result.errors)}`);
    };
    await enable("abandoned_cart", {});
    await enable("back_in_stock", {});
    await enable("reorder", { defaultDays: 30, minSamples: 5 });
    await enable("upsell", { delayDays: 2, minCoPurchases: 2, fallbackCollectionId: DEMO_COLLECTION.id });
    await enable("appointment", {
      reminders: [{ hoursBefore: 24 }, { hoursBefore: 2 }],
      bookingDateProperty: "Booking date",
      bookingTimeProperty: "Booking time",
    });
    await enable("promotion", {});
    progress.log(now(), "setup", "flows on: abandoned cart, back in stock, reorder, cross-sell, appointments, promotions");
  });

  scene(at(0, 8, 35), "test message", async () => {
    const result = await sendTestMessage(s.shop, { to: "+34910000999", template: "appointment_reminder|en" }, now());
    if (!result.ok) throw new Error(`test message failed: ${JSON.stringify(result.errors)}`);
    progress.log(now(), "setup", "test message reached the merchant's phone");
  });

  // ---- the catalogue and its history arrive as webhooks ---------------------------------------
  scene(at(0, 8, 40), "catalogue", async () => {
    for (const product of CATALOGUE) {
      await webhook(
        "products/update",
        productPayload({
          id: product.id,
          title: product.title,
          handle: product.handle,
          imageSrc: product.image,
          updatedAt: now(),
          variants: product.variants.map((v) => ({ id: v.id, inventoryItemId: v.inventoryItemId, price: v.price, title: v.title, sku: v.sku, inventoryQuantity: v.available })),
        }),
      );
    }
    // Past customers who buy Colombia beans every four days or so: enough repeats to learn from.
    const regulars = [shopper("Irene"), { ...shopper("Irene"), name: "Rosa", customerId: 7_300_000_000_001, phone: "+34699000001", email: "rosa@example.com" }, { ...shopper("Irene"), name: "Luis", customerId: 7_300_000_000_002, phone: "+34699000002", email: "luis@example.com" }];
    for (const [i, who] of regulars.entries()) {
      for (let k = 0; k < 3; k++) {
        await order(who, [line("colombia-huila", "250 g"), ...(k === 1 ? [line("paper-filters", "Size 02")] : [])], { placedAt: at(-20 + i + k * 4, 12) });
      }
    }
    // People who buy a dripper tend to buy filters with it.
    for (const [i, who] of [shopper("Tomás"), shopper("Noah"), shopper("Olivia")].entries()) {
      await order(who, [line("pour-over-dripper", "Black"), line("paper-filters", "Size 02")], { placedAt: at(-15 + i, 17) });
    }
    await order(shopper("Tomás"), [line("paper-filters", "Size 02", 2)], { placedAt: at(-8, 10) });
    progress.log(now(), "note", "catalogue and order history in: 6 products, 12 past orders");
  });

  // ---- Monday: opt-ins on product pages, carts and checkout -----------------------------------
  const guji1kg = variantOf("ethiopia-guji", "1 kg");
  const whiteDripper = variantOf("pour-over-dripper", "White");
  for (const [who, time, v] of [
    [shopper("Marco"), at(0, 10, 30), guji1kg],
    [shopper("João"), at(0, 10, 45), guji1kg],
    [shopper("Sofía"), at(0, 11, 15), guji1kg],
    [shopper("Ana"), at(0, 11, 30), whiteDripper],
    [shopper("Olivia"), at(0, 12, 10), whiteDripper],
  ] as const) {
    scene(time, `${who.name} waits for ${v.product.title}`, () =>
      optIn(who, { source: "product_block", variantId: String(v.variant.id), productId: String(v.product.id) }),
    );
  }
  behaviours.set(shopper("João").phone, { buysAfter: { flow: "back_in_stock", delayMinutes: 25 } });
  behaviours.set(shopper("Olivia").phone, { buysAfter: { flow: "back_in_stock", delayMinutes: 40 } });
  behaviours.set(shopper("Sofía").phone, { ignores: true });

  scene(at(0, 10, 0), "Lucía leaves a cart", () => abandonCart(shopper("Lucía"), [line("ethiopia-guji", "250 g", 2), line("paper-filters", "Size 02")]));
  behaviours.set(shopper("Lucía").phone, { buysAfter: { flow: "abandoned_cart", step: 1, delayMinutes: 30 } });

  scene(at(0, 13, 0), "Carmen buys at once", async () => {
    await abandonCart(shopper("Carmen"), [line("colombia-huila", "1 kg")], "cart_embed");
    await order(shopper("Carmen"), [line("colombia-huila", "1 kg")], { cartToken: carts.get("Carmen")!.token });
  });
  behaviours.set(shopper("Carmen").phone, { buysAfter: { flow: "promotion", delayMinutes: 60 } });

  scene(at(0, 16, 0), "Clara books a class", async () => {
    const lines = [line("barista-class", "Saturday morning", 1, [{ name: "Booking date", value: "2026-11-28" }, { name: "Booking time", value: "10:00" }]), line("ethiopia-guji", "250 g")];
    const cart = cartPayload({ lines, updatedAt: now(), createdAt: now(), currency: DEMO_CURRENCY });
    await webhook("carts/create", cart);
    await optIn(shopper("Clara"), { source: "cart_block", cartToken: cart.token, country: "ES" });
    await order(shopper("Clara"), lines, { cartToken: cart.token });
  });

  scene(at(0, 17, 0), "Tomás restocks filters", async () => {
    await abandonCart(shopper("Tomás"), [line("paper-filters", "Size 02", 2)]);
    await order(shopper("Tomás"), [line("paper-filters", "Size 02", 2)], { cartToken: carts.get("Tomás")!.token });
  });

  scene(at(0, 20, 30), "Budi leaves a cart in the evening", () => abandonCart(shopper("Budi"), [line("burr-grinder", "Standard")]));
  behaviours.set(shopper("Budi").phone, { ignores: true });

  scene(at(0, 18, 0), "Hugo opts in but never confirms", () => abandonCart(shopper("Hugo"), [line("colombia-huila", "250 g")]));
  behaviours.set(shopper("Hugo").phone, { neverConfirms: true });

  scene(at(0, 19, 0), "Noah (US number) leaves a cart", () => abandonCart(shopper("Noah"), [line("paper-filters", "Size 02")]));

  // ---- Tuesday ---------------------------------------------------------------------------------
  scene(at(1, 9, 30), "Pablo checks out before any reminder", async () => {
    await abandonCart(shopper("Pablo"), [line("colombia-huila", "250 g", 3)]);
  });
  scene(at(1, 9, 55), "Pablo orders", async () => {
    await order(shopper("Pablo"), carts.get("Pablo")!.lines, { cartToken: carts.get("Pablo")!.token });
  });

  scene(at(1, 11, 0), "Irene reorders beans", async () => {
    await abandonCart(shopper("Irene"), [line("colombia-huila", "250 g", 2)]);
    await order(shopper("Irene"), carts.get("Irene")!.lines, { cartToken: carts.get("Irene")!.token });
  });

  scene(at(1, 12, 0), "Lena leaves her checkout", async () => {
    const lines = [line("burr-grinder", "Standard"), line("colombia-huila", "1 kg")];
    const cart = cartPayload({ lines, updatedAt: now(), createdAt: now(), currency: DEMO_CURRENCY });
    carts.set("Lena", { token: cart.token, lines });
    await webhook("carts/create", cart);
    await optIn(shopper("Lena"), { source: "cart_block", cartToken: cart.token });
    const customer = { id: shopper("Lena").customerId, email: shopper("Lena").email, phone: shopper("Lena").phone, firstName: "Lena" };
    await webhook("checkouts/create", checkoutPayload({ cartToken: cart.token, email: customer.email, phone: customer.phone, customer, lines, updatedAt: now(), currency: DEMO_CURRENCY }));
  });
  behaviours.set(shopper("Lena").phone, { buysAfter: { flow: "abandoned_cart", step: 2, delayMinutes: 45 } });

  scene(at(1, 18, 0), "Marco says stop", () => reply(shopper("Marco"), { text: "PARAR" }));

  // ---- Wednesday: a restock; more carts --------------------------------------------------------
  scene(at(2, 11, 0), "Ethiopia Guji 1 kg is back", () =>
    webhook("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: guji1kg.variant.inventoryItemId, locationId: 5_500_000_001, available: 6, updatedAt: now() })),
  );
  scene(at(2, 10, 0), "Diego leaves a cart", () => abandonCart(shopper("Diego"), [line("pour-over-dripper", "Black")]));
  behaviours.set(shopper("Diego").phone, { stopsOnFirstMarketing: true });
  scene(at(2, 12, 0), "Dewi leaves a cart", () => abandonCart(shopper("Dewi"), [line("ethiopia-guji", "250 g", 3)]));
  behaviours.set(shopper("Dewi").phone, { buysAfter: { flow: "abandoned_cart", step: 3, delayMinutes: 90 } });
  scene(at(2, 15, 0), "Emma leaves a cart", () => abandonCart(shopper("Emma"), [line("colombia-huila", "250 g")]));
  behaviours.set(shopper("Emma").phone, { ignores: true });

  // ---- Friday: the merchant sends an offer; Sunday: the white dripper returns --------------------
  scene(at(4, 10, 0), "weekend offer", async () => {
    const campaign = await prisma.campaign.create({
      data: {
        shop: s.shop,
        name: "Weekend beans offer",
        templateName: "store_offer",
        templateLanguage: "en",
        params: { body: ["15% off", DEMO_SHOP_NAME], link: `https://${s.shop}/collections/beans` },
        audience: { lastOrderWithinDays: 60, countries: [] },
        status: "scheduled",
        scheduledAt: now(),
      },
    });
    const outcome = await launchCampaign(s.shop, campaign.id, now());
    if (!outcome.launched) throw new Error(`campaign did not launch: ${outcome.reason}`);
    progress.log(now(), "setup", `merchant launched "Weekend beans offer" to ${outcome.scheduled} shoppers (${outcome.heldOut} held out)`);
  });
  scene(at(6, 10, 0), "White dripper is back", () =>
    webhook("inventory_levels/update", inventoryLevelPayload({ inventoryItemId: whiteDripper.variant.inventoryItemId, locationId: 5_500_000_001, available: 3, updatedAt: now() })),
  );

  // ---- shoppers react to what reaches their phone ----------------------------------------------
  const reacted = new Set<string>();
  const firstMarketingSeen = new Set<string>();
  async function react(message: AcceptedMessage) {
    const row = await prisma.notification.findUnique({ where: { waMessageId: message.id } });
    if (!row) return;
    const who = SHOPPERS.find((p) => p.phone === message.to || p.phone === `+${message.to.replace(/^\+/, "")}`);
    if (!who) return;
    const behaviour = behaviours.get(who.phone) ?? {};
    progress.log(now(), "message", `${row.flow}${row.flow === "abandoned_cart" ? ` step ${row.step}` : ""} → ${who.name}`);

    await s.whatsapp.sendStatus(message.id, "delivered");
    if (!behaviour.ignores) await s.whatsapp.sendStatus(message.id, "read");

    if (row.flow === "optin_confirmation") {
      if (!behaviour.neverConfirms) scene(new Date(now().getTime() + 4 * MINUTE), `${who.name} confirms`, () => reply(who, { buttonPayload: CONFIRM_PAYLOAD, buttonText: "Yes" }));
      return;
    }
    if (row.flow !== "appointment" && !firstMarketingSeen.has(who.phone)) {
      firstMarketingSeen.add(who.phone);
      if (behaviour.stopsOnFirstMarketing) {
        scene(new Date(now().getTime() + 10 * MINUTE), `${who.name} taps Stop promotions`, () => reply(who, { buttonPayload: STOP_PAYLOAD, buttonText: "Stop promotions" }));
        return;
      }
    }
    const plan = behaviour.buysAfter;
    if (!plan || plan.flow !== row.flow || (plan.step !== undefined && plan.step !== row.step) || reacted.has(who.phone + row.flow)) return;
    reacted.add(who.phone + row.flow);
    const token = linkToken(message);
    scene(new Date(now().getTime() + plan.delayMinutes * MINUTE), `${who.name} clicks`, async () => {
      if (token) {
        // From the shopper's phone browser: link-preview bots are redirected but not counted.
        const response = await fetch(`${s.appUrl}/r/${token}`, { redirect: "manual", headers: { "User-Agent": DESKTOP_CHROME_UA } });
        progress.log(now(), "click", `${who.name} opened the ${row.flow} link (${response.status})`);
      }
    });
    scene(new Date(now().getTime() + (plan.delayMinutes + 10) * MINUTE), `${who.name} buys`, async () => {
      const cart = carts.get(who.name);
      const bought = row.flow === "back_in_stock" && row.variantId
        ? [CATALOGUE.flatMap((p) => p.variants.map((v) => ({ p, v }))).find(({ v }) => String(v.id) === row.variantId)!].map(({ p, v }) => line(p.handle, v.title))
        : (cart?.lines ?? [line("ethiopia-guji", "250 g", 2)]);
      await order(who, bought, { cartToken: row.flow === "abandoned_cart" ? cart?.token : undefined });
    });
  }

  // ---- the simulation loop -----------------------------------------------------------------
  let seen = 0;
  scenes.sort((a, b) => a.at.getTime() - b.at.getTime());
  for (let guard = 0; guard < 5000; guard++) {
    // Due scenes run in their order, each followed by whatever it set in motion.
    const due = scenes.filter((sc) => sc.at.getTime() <= now().getTime()).sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const sc of due) {
      scenes.splice(scenes.indexOf(sc), 1);
      await sc.run();
      await s.drain();
    }
    while (seen < s.whatsapp.accepted.length) await react(s.whatsapp.accepted[seen++]);
    await s.whatsapp.settle();
    await s.drain();

    const next = await nextMoment(s.shop, now());
    const nextScene = scenes.reduce<Date | null>((min, sc) => (!min || sc.at < min ? sc.at : min), null);
    const candidates = [next, nextScene].filter((d): d is Date => d !== null && d.getTime() <= WEEK_END.getTime());
    if (candidates.length === 0) break;
    const target = new Date(Math.max(now().getTime() + 1000, Math.min(...candidates.map((d) => d.getTime()))));
    s.clock.set(target);
  }
  s.clock.set(WEEK_END);
  console.log(`\n${progress.tally()}`);
}

/** The button parameter of a template send is the tracked link's token. */
function linkToken(message: AcceptedMessage): string | null {
  const button = message.components.find((c) => c.type === "button") as { parameters?: Array<{ text?: string }> } | undefined;
  return button?.parameters?.[0]?.text ?? null;
}

/** When the app next has something to do: a scheduled message or a queued task. */
async function nextMoment(shop: string, now: Date): Promise<Date | null> {
  const [message, task] = await Promise.all([
    prisma.notification.findFirst({ where: { shop, status: "scheduled", sendAt: { gt: now } }, orderBy: { sendAt: "asc" }, select: { sendAt: true } }),
    prisma.task.findFirst({ where: { status: "queued", runAt: { gt: now } }, orderBy: { runAt: "asc" }, select: { runAt: true } }),
  ]);
  const times = [message?.sendAt, task?.runAt].filter((d): d is Date => Boolean(d));
  return times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : null;
}
