import { randomUUID } from "node:crypto";
import type { ConsentScope, ConsentSource, SubscriberStatus } from "@prisma/client";
import prisma from "../db.server";
import { env } from "../env.server";
import { hitRateLimit } from "../security/rate-limit.server";
import { scheduleNotifications } from "../outbox/schedule.server";
import { whatsappLanguage } from "../outbox/template-language";
import type { TemplateParams } from "../outbox/types";
import { restoreSuppression } from "./suppression.server";
import { CONFIRM_PAYLOAD, STOP_PAYLOAD } from "./keywords";
import { linkCart } from "./cart-link.server";
import { appendConsentEvent, lastOptOutAt, lockSubscriber } from "./ledger.server";
import type { Db } from "../db.server";
import type { ParsedPhone } from "./phone.server";
import { linkSubscriberToCustomer } from "./shopify-consent-queue.server";
import { openWidening, SCOPE_RANK } from "./widening.server";

/**
 * Storefront and checkout opt-ins. One call records the subscriber, the ledger event with its
 * proof, what the shopper asked for (a back-in-stock request, a cart to be reminded of) and, with
 * double opt-in on, the WhatsApp confirmation, all in one transaction.
 */
export interface OptInInput {
  shop: string;
  phone: ParsedPhone;
  source: ConsentSource;
  scope?: ConsentScope;
  /** The exact consent text the shopper saw, naming WhatsApp and the store */
  text: string;
  textVersion: string;
  locale: string;
  deviceHash: string | null;
  variantId?: string | null;
  productId?: string | null;
  cartToken?: string | null;
  checkoutToken?: string | null;
  orderId?: string | null;
  customerId?: string | null;
  at: Date;
}

export interface OptInResult {
  subscriberId: string;
  status: SubscriberStatus;
  /** false when the same opt-in was already recorded (a repeated submit) */
  recorded: boolean;
  confirmationScheduled: boolean;
}

/** Sources whose consent text offers cart reminders and offers (product blocks only promise a restock alert). */
const OFFER_SOURCES = new Set<ConsentSource>(["cart_block", "cart_embed", "checkout", "thank_you"]);
const CHECKOUT_SOURCES = new Set<ConsentSource>(["checkout", "thank_you"]);

/**
 * Sending one more confirmation would pass the shop's hourly ceiling
 * (OPTIN_CONFIRMATIONS_PER_HOUR): the opt-in is refused and nothing of it is written.
 */
export class ConfirmationLimitReached extends Error {
  constructor(public readonly retryAfter: number) {
    super("opt-in confirmations per hour reached for this shop");
    this.name = "ConfirmationLimitReached";
  }
}

/** What makes two submits "the same opt-in": same person and the same thing asked for. */
function idempotencyKey(input: OptInInput): string {
  if (input.variantId) return `variant:${input.variantId}`;
  if (input.cartToken) return `cart:${input.cartToken}`;
  if (input.checkoutToken) return `checkout:${input.checkoutToken}`;
  if (input.orderId) return `order:${input.orderId}`;
  return `source:${input.source}`;
}

export async function recordOptIn(input: OptInInput, db: typeof prisma = prisma): Promise<OptInResult> {
  const settings = await db.shopSettings.findUnique({ where: { shop: input.shop }, select: { doubleOptIn: true } });
  const shopRow = await db.shop.findUnique({ where: { shop: input.shop }, select: { name: true } });
  const doubleOptIn = settings?.doubleOptIn ?? true;
  const key = idempotencyKey(input);

  return db.$transaction(async (tx) => {
    // ON CONFLICT DO NOTHING, not find-then-create: a shopper who double-taps submit sends two
    // opt-ins at once, and the second waits for the first instead of failing on the unique key.
    const inserted = await tx.$executeRaw`
      INSERT INTO "Subscriber" (id, shop, phone, "callingCode", "countryCode", locale, "customerId", "acceptsOffers", "createdAt", "updatedAt")
      VALUES (${randomUUID()}, ${input.shop}, ${input.phone.e164}, ${input.phone.callingCode}, ${input.phone.countryCode},
              ${input.locale}, ${input.customerId ?? null}, ${OFFER_SOURCES.has(input.source)}, ${input.at}, ${input.at})
      ON CONFLICT (shop, phone) DO NOTHING`;
    const subscriber = await tx.subscriber.findUniqueOrThrow({
      where: { shop_phone: { shop: input.shop, phone: input.phone.e164 } },
      select: { id: true },
    });
    await lockSubscriber(tx, input.shop, subscriber.id);
    // A number whose data was erased after a STOP gets its opt-out back before this opt-in.
    if (inserted > 0) await restoreSuppression(tx, input.shop, subscriber.id, input.phone.e164);
    const current = await tx.subscriber.findUniqueOrThrow({
      where: { id: subscriber.id },
      select: { status: true, acceptsOffers: true, customerId: true, scope: true },
    });
    const eventCount = await tx.consentEvent.count({ where: { shop: input.shop, subscriberId: subscriber.id } });

    const since = await lastOptOutAt(tx, input.shop, subscriber.id);
    const repeat = await tx.consentEvent.findFirst({
      where: {
        shop: input.shop,
        subscriberId: subscriber.id,
        kind: { in: ["opt_in", "re_opt_in"] },
        context: { path: ["key"], equals: key },
        ...(since ? { occurredAt: { gt: since } } : {}),
      },
      select: { id: true },
    });
    const waitingRequest = input.variantId
      ? await tx.backInStockRequest.findUnique({
          where: { shop_subscriberId_variantId: { shop: input.shop, subscriberId: subscriber.id, variantId: input.variantId } },
          select: { status: true },
        })
      : null;
    const stillWanted = !input.variantId || waitingRequest?.status === "waiting";

    // A number that already confirmed on WhatsApp does not need to confirm again for a new item
    // of what it agreed to. Asking for more (marketing over utility only, offers over one restock
    // alert) is a new consent: anyone can type a number into a storefront form, so until the
    // shopper says yes on WhatsApp the old scope stands. A checkout whose session token names the
    // subscriber's own customer is the buyer themselves, and needs no second proof.
    const alreadyConfirmed = eventCount > 0 && current.status === "subscribed";
    const wantsOffers = OFFER_SOURCES.has(input.source);
    const widens =
      alreadyConfirmed &&
      (SCOPE_RANK[input.scope ?? "marketing"] > SCOPE_RANK[current.scope] || (wantsOffers && !current.acceptsOffers));
    const provenBuyer = CHECKOUT_SOURCES.has(input.source) && !!input.customerId && current.customerId === input.customerId;
    const widening = widens && !provenBuyer;

    // Read for every submission, whatever the number's state: the storefront answers the same
    // way for a new number and a subscriber, and the work before that answer should not differ
    // more than the writes a new consent needs.
    const wideningOpen = (await openWidening(tx, input.shop, subscriber.id)) !== null;
    if (repeat && stillWanted && current.status !== "unsubscribed") {
      if (!widening) await linkCart(tx, input, subscriber.id);
      return { subscriberId: subscriber.id, status: current.status, recorded: false, confirmationScheduled: false };
    }
    const requiresConfirmation = (doubleOptIn && !alreadyConfirmed) || widening;
    const { event, status } = await appendConsentEvent(tx, {
      shop: input.shop,
      subscriberId: subscriber.id,
      kind: "opt_in",
      scope: input.scope ?? "marketing",
      source: input.source,
      text: input.text,
      textVersion: input.textVersion,
      locale: input.locale,
      deviceHash: input.deviceHash,
      occurredAt: input.at,
      context: {
        key,
        requiresConfirmation,
        // A widening leaves the status as it is (ledger statusAfter); the shopper's yes applies it.
        ...(widening ? { widening: true, offers: wantsOffers } : {}),
        variantId: input.variantId ?? null,
        productId: input.productId ?? null,
        cartToken: input.cartToken ?? null,
        checkoutToken: input.checkoutToken ?? null,
        orderId: input.orderId ?? null,
      },
    });

    // An unconfirmed widening changes nothing about the subscriber: not even their language.
    if (!widening) {
      await tx.subscriber.update({
        where: { id: subscriber.id },
        data: {
          locale: input.locale,
          ...(wantsOffers && !current.acceptsOffers ? { acceptsOffers: true } : {}),
        },
      });
      // A known number now opting in at a logged-in checkout: Shopify's customer gets the consent too.
      if (input.customerId && !current.customerId) await linkSubscriberToCustomer(tx, input.shop, subscriber.id, input.customerId);
    }

    if (input.variantId) {
      await tx.backInStockRequest.upsert({
        where: { shop_subscriberId_variantId: { shop: input.shop, subscriberId: subscriber.id, variantId: input.variantId } },
        create: { shop: input.shop, subscriberId: subscriber.id, variantId: input.variantId, productId: input.productId ?? null, createdAt: input.at },
        // restockId stays: a shopper who asks again is in line for the next restock, never a
        // second message for the one that already reached them.
        update: { status: "waiting", notifiedAt: null, productId: input.productId ?? undefined },
      });
    }
    // The cart or checkout becomes theirs when the widening is confirmed (applyConfirmedWidening).
    if (!widening) await linkCart(tx, input, subscriber.id);

    // One confirmation per pending period: a second opt-in while still pending sends nothing new.
    const startsPending = widening
      ? !wideningOpen
      : requiresConfirmation && (eventCount === 0 || current.status !== "pending");
    if (startsPending) {
      const ceiling = await hitRateLimit(
        { key: `optin:confirmations:${input.shop}`, limit: env().OPTIN_CONFIRMATIONS_PER_HOUR, windowMs: 3600_000 },
        input.at,
        tx,
      );
      if (!ceiling.allowed) throw new ConfirmationLimitReached(ceiling.retryAfter);
    }
    const confirmationScheduled = startsPending
      ? await scheduleConfirmation(tx, input, subscriber.id, event.id, shopRow?.name ?? input.shop)
      : false;
    return { subscriberId: subscriber.id, status, recorded: true, confirmationScheduled };
  });
}

/** The confirmation's parameters: the store's name, and the payloads of its two quick replies. */
export function confirmationParams(storeName: string): TemplateParams {
  return {
    body: [storeName],
    buttons: [
      { index: 0, type: "quick_reply", payload: CONFIRM_PAYLOAD },
      { index: 1, type: "quick_reply", payload: STOP_PAYLOAD },
    ],
  };
}

/**
 * Double opt-in: a UTILITY template asking the shopper to confirm, with quick replies to confirm
 * or stop. The subscriber stays `pending` (no marketing) until inbound.server.ts sees the answer.
 * Planned in the shopper's language; when that translation is not approved (or does not fit) the
 * dispatcher sends the shop's language (Shop.primaryLocale), then English
 * (app/outbox/template-language.ts). Its shape is FIXED_SHAPES.optin_confirmation.
 */
async function scheduleConfirmation(tx: Db, input: OptInInput, subscriberId: string, eventId: string, storeName: string) {
  const created = await scheduleNotifications(
    [
      {
        shop: input.shop,
        flow: "optin_confirmation",
        dedupKey: `optin_confirmation:${subscriberId}:${eventId}`,
        subscriberId,
        sendAt: input.at,
        expiresAt: new Date(input.at.getTime() + 24 * 3600_000),
        templateName: "optin_confirmation",
        templateLanguage: whatsappLanguage(input.locale),
        params: confirmationParams(storeName),
      },
    ],
    tx,
  );
  return created > 0;
}
