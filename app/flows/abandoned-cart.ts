import type { ConsentScope, SubscriberStatus } from "@prisma/client";
import { isHeldOut } from "./holdout";
import { DAY, HOUR, addMs, linkButton, storefront, withUtm, type FlowPlan, type PlanKeys, type PlannedMessage } from "./plan";
import type { AbandonedCartConfig } from "./settings";

/**
 * Abandoned cart: up to three reminders after a cart or checkout stops changing. Each change
 * re-plans from the new "last change", so the reminders move with the shopper; steps already
 * sent are not repeated. Body parameters: {{1}} what is in the cart, {{2}} its total,
 * {{3}} the discount code when the step has one.
 */
export interface CartLine {
  variantId: string;
  title: string;
  quantity: number;
  price: string;
}

export interface AbandonedCartState {
  /** The key the reminders hang on: the cart token, or the checkout token for a cart-less checkout */
  token: string;
  status: "open" | "converted" | "emptied";
  lines: CartLine[];
  totalPrice: string;
  currency: string | null;
  lastChangedAt: Date;
  /** Shopify's abandoned checkout URL, when a checkout was started */
  recoveryUrl: string | null;
  /** An order exists for this cart or its checkout */
  ordered: boolean;
  /** Steps already handed to WhatsApp for this cart (by any earlier plan) */
  sentSteps: number[];
}

export interface ShopperState {
  id: string;
  status: SubscriberStatus;
  scope: ConsentScope;
  marketingStoppedAt: Date | null;
}

export interface AbandonedCartInput {
  shop: string;
  cart: AbandonedCartState;
  subscriber: ShopperState | null;
  setting: { enabled: boolean; holdoutPercent: number; config: AbandonedCartConfig };
  keys: PlanKeys;
  now: Date;
}

const FLOW = "abandoned_cart" as const;

/**
 * Whether a shopper may get marketing: opted in for marketing and not stopped by WhatsApp. A
 * pending shopper counts: with double opt-in the cart usually changes minutes before they tap
 * "confirm", and the gate holds every send until the ledger says subscribed.
 */
export function acceptsMarketing(s: ShopperState | null): s is ShopperState {
  return !!s && (s.status === "subscribed" || s.status === "pending") && s.scope === "marketing" && !s.marketingStoppedAt;
}

export function planAbandonedCart(input: AbandonedCartInput): FlowPlan {
  const { shop, cart, subscriber, setting, keys, now } = input;
  const cancelAll = (reason: string): FlowPlan => ({
    messages: [],
    cancellations: [{ predicate: { flow: FLOW, cartToken: cart.token }, reason }],
  });
  if (cart.ordered || cart.status === "converted") return cancelAll("order_placed");
  const quantity = cart.lines.reduce((n, l) => n + l.quantity, 0);
  if (cart.status === "emptied" || quantity <= 0) return cancelAll("cart_emptied");
  if (!acceptsMarketing(subscriber)) return cancelAll("not_subscribed");
  if (!setting.enabled) return cancelAll("flow_disabled");

  const steps = setting.config.steps.map((step, index) => ({
    step: index + 1,
    config: step,
    at: addMs(cart.lastChangedAt, step.delayHours * HOUR),
  }));
  const heldOut = isHeldOut(shop, FLOW, subscriber.id, setting.holdoutPercent);
  const messages: PlannedMessage[] = [];
  for (const [i, s] of steps.entries()) {
    if (cart.sentSteps.includes(s.step)) continue;
    // A step whose successor is also already due (a webhook processed late) is superseded:
    // one reminder now beats two at once.
    const next = steps[i + 1];
    if (next && next.at.getTime() <= now.getTime()) continue;
    const sendAt = s.at.getTime() < now.getTime() ? now : s.at;
    const dedupKey = `${FLOW}:${cart.token}:${cart.lastChangedAt.getTime()}:${s.step}`;
    const discount = s.config.discount
      ? {
          code: keys.discountCode(shop, dedupKey),
          kind: s.config.discount.kind,
          value: s.config.discount.value,
          endsAt: addMs(sendAt, s.config.discount.validHours * HOUR),
        }
      : undefined;
    const token = keys.linkToken(shop, dedupKey);
    const body = [describeLines(cart.lines), formatMoney(cart.totalPrice, cart.currency)];
    if (discount) body.push(discount.code);
    messages.push({
      notification: {
        shop,
        flow: FLOW,
        dedupKey,
        subscriberId: subscriber.id,
        sendAt,
        // Past the next step's time, this reminder is stale; the last one lives a day.
        expiresAt: next ? next.at : addMs(sendAt, DAY),
        templateName: s.config.templateName,
        templateLanguage: s.config.language,
        params: { body, buttons: linkButton(token) },
        step: s.step,
        cartToken: cart.token,
      },
      link: { token, destination: withUtm(recoveryLink(shop, cart, discount?.code), FLOW, `step-${s.step}`) },
      discount,
      heldOut,
    });
  }
  return {
    messages,
    cancellations: [
      { predicate: { flow: FLOW, cartToken: cart.token }, reason: "cart_changed", keep: messages.map((m) => m.notification.dedupKey) },
    ],
  };
}

/**
 * A link that puts the cart back: the checkout's recovery URL when there is one, else a cart
 * permalink (/cart/<variant>:<qty>,...), with ?discount=CODE which both accept.
 * https://shopify.dev/docs/apps/build/checkout/create-cart-permalinks
 */
export function recoveryLink(shop: string, cart: Pick<AbandonedCartState, "recoveryUrl" | "lines">, code?: string): string {
  const url = cart.recoveryUrl
    ? new URL(cart.recoveryUrl)
    : new URL(
        `/cart/${cart.lines.filter((l) => l.quantity > 0).map((l) => `${l.variantId}:${l.quantity}`).join(",")}`,
        storefront(shop),
      );
  if (code) url.searchParams.set("discount", code);
  return url.toString();
}

export function describeLines(lines: CartLine[]): string {
  const present = lines.filter((l) => l.quantity > 0);
  if (present.length === 0) return "";
  const first = present[0].title;
  return present.length === 1 ? first : `${first} and ${present.length - 1} more`;
}

export function formatMoney(amount: string, currency: string | null): string {
  const value = Number(amount);
  if (!currency) return value.toFixed(2);
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}
