import type { ConsentSource } from "@prisma/client";
import { z } from "zod";
import prisma from "../db.server";
import { env } from "../env.server";
import { hitRateLimits } from "../security/rate-limit.server";
import { hashDevice } from "./ledger.server";
import { ConfirmationLimitReached, recordOptIn, type OptInResult } from "./optin.server";
import { InvalidPhoneNumber, parsePhone } from "./phone.server";

/**
 * The opt-in forms as the storefront (app proxy) and checkout extension post them: parsed with
 * zod, rate limited, checked against WhatsApp's rule that the consent text names WhatsApp and the
 * business, then recorded. Every refusal is an OptInRejected with an HTTP status and a stable
 * `code` that the blocks translate into the shopper's language; nothing is written before all
 * checks pass.
 */
export class OptInRejected extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    public readonly field?: string,
    public readonly retryAfter?: number,
  ) {
    super(field ? `${code}: ${field}` : code);
    this.name = "OptInRejected";
  }
}

const STOREFRONT_SOURCES = ["product_block", "cart_block", "cart_embed"] as const;
const CHECKOUT_SOURCES = ["checkout", "thank_you"] as const;

const numericId = z.string().regex(/^[0-9]{1,20}$/);
const base = z.object({
  phone: z.string().min(1).max(40),
  country: z.string().regex(/^[A-Za-z]{2}$/).optional(),
  // Plain text only: the proof is what the shopper read. Markup, control characters or unrendered
  // template syntax mean the text was not what a shopper saw (or is an injection attempt).
  consentText: z
    .string()
    .trim()
    .min(10)
    .max(1000)
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    .regex(/^[^<>\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/)
    .refine((text) => !/\{\{|\{%|\$\{/.test(text)),
  textVersion: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/),
  locale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$/),
  scope: z.enum(["marketing", "utility"]).optional(),
});

const storefrontForm = base.extend({
  source: z.enum(STOREFRONT_SOURCES),
  variantId: numericId.optional(),
  productId: numericId.optional(),
  cartToken: z.string().regex(/^[A-Za-z0-9_?=-]{1,200}$/).optional(),
  // Honeypot: hidden from people, filled by form-spamming bots.
  website: z.string().max(0).optional(),
});

const checkoutForm = base.extend({
  source: z.enum(CHECKOUT_SOURCES),
  checkoutToken: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/).optional(),
  orderId: numericId.optional(),
});

const MAX_FORM_BYTES = 16 * 1024;

/** Reads a JSON or url-encoded body into a plain object; anything else is refused. */
export async function readFormBody(request: Request): Promise<Record<string, unknown>> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  const text = await request.text();
  if (text.length > MAX_FORM_BYTES) throw new OptInRejected(413, "body_too_large");
  if (type === "application/json") {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new OptInRejected(400, "invalid_json");
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new OptInRejected(400, "invalid_json");
    return value as Record<string, unknown>;
  }
  if (type === "application/x-www-form-urlencoded") {
    const params = new URLSearchParams(text);
    const fields: Record<string, string> = {};
    for (const [key, value] of params) {
      if (key in fields) throw new OptInRejected(400, "invalid_field", key);
      fields[key] = value;
    }
    return fields;
  }
  throw new OptInRejected(415, "unsupported_media_type");
}

/**
 * The shopper's address, for rate limits and the consent proof's device hash. X-Forwarded-For is
 * a list anyone can start: each proxy appends the address it was connected from, so only the
 * entries added by proxies we trust are facts. Those are the deployment's own
 * (TRUSTED_PROXY_HOPS), plus Shopify's app proxy for a request whose signature proves it came
 * through Shopify, which puts the storefront visitor's address in the header.
 * https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies
 */
export function clientIp(request: Request, context: unknown, via: { shopifyProxy?: boolean } = {}): string | null {
  const address = (context as { clientAddress?: unknown } | undefined)?.clientAddress;
  const forwarded = (request.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const chain = [...forwarded, ...(typeof address === "string" ? [address] : [])];
  if (chain.length === 0) return null;
  const trusted = env().TRUSTED_PROXY_HOPS + (via.shopifyProxy ? 1 : 0);
  return chain[Math.max(0, chain.length - 1 - trusted)].slice(0, 64);
}

/** WhatsApp's Business Messaging Policy: the opt-in must name WhatsApp and the business. */
export function consentTextNamesStore(text: string, storeNames: string[]): boolean {
  const haystack = text.toLocaleLowerCase();
  if (!haystack.includes("whatsapp")) return false;
  return storeNames.some((name) => name.trim().length > 0 && haystack.includes(name.trim().toLocaleLowerCase()));
}

function parseWith<T extends z.ZodType>(schema: T, body: Record<string, unknown>): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = String(issue?.path[0] ?? "body");
    if (field === "website") throw new OptInRejected(422, "rejected");
    throw new OptInRejected(422, issue?.code === "invalid_type" && issue.input === undefined ? "missing_field" : "invalid_field", field);
  }
  return result.data;
}

interface Submission {
  shop: string;
  body: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
  now: Date;
  customerId?: string | null;
}

/** Opt-ins per window: a shopper retrying is fine, enumeration of numbers or flooding is not. */
const IP_LIMIT = { limit: 20, windowMs: 10 * 60_000 };
const PHONE_LIMIT = { limit: 5, windowMs: 60 * 60_000 };

async function installedShop(shop: string) {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { name: true, status: true } });
  if (!row || row.status !== "installed") throw new OptInRejected(404, "shop_not_found");
  return row;
}

async function submit(
  submission: Submission,
  form: z.infer<typeof base> & { source: ConsentSource },
  context: { variantId?: string; productId?: string; cartToken?: string; checkoutToken?: string; orderId?: string },
): Promise<OptInResult> {
  const shop = await installedShop(submission.shop);
  const ipLimit = await hitRateLimits([{ key: `optin:ip:${submission.shop}:${submission.ip ?? "unknown"}`, ...IP_LIMIT }], submission.now);
  if (!ipLimit.allowed) throw new OptInRejected(429, "rate_limited", undefined, ipLimit.retryAfter);

  let phone;
  try {
    phone = parsePhone(form.phone, form.country);
  } catch (error) {
    if (error instanceof InvalidPhoneNumber) throw new OptInRejected(422, "invalid_phone", "phone");
    throw error;
  }
  if (!consentTextNamesStore(form.consentText, [shop.name ?? "", submission.shop.replace(/\.myshopify\.com$/, "")])) {
    throw new OptInRejected(422, "consent_text_invalid", "consentText");
  }
  const phoneLimit = await hitRateLimits([{ key: `optin:phone:${submission.shop}:${phone.e164}`, ...PHONE_LIMIT }], submission.now);
  if (!phoneLimit.allowed) throw new OptInRejected(429, "rate_limited", undefined, phoneLimit.retryAfter);

  try {
    return await recordOptIn({
      shop: submission.shop,
      phone,
      source: form.source,
      scope: form.scope,
      text: form.consentText,
      textVersion: form.textVersion,
      locale: form.locale,
      deviceHash: hashDevice(submission.ip, submission.userAgent),
      customerId: submission.customerId ?? null,
      at: submission.now,
      ...context,
    });
  } catch (error) {
    if (error instanceof ConfirmationLimitReached) throw new OptInRejected(429, "rate_limited", undefined, error.retryAfter);
    throw error;
  }
}

/** POST /apps/<subpath>/optin from the theme blocks (already verified by the app proxy signature). */
export async function submitStorefrontOptIn(submission: Submission): Promise<OptInResult> {
  const form = parseWith(storefrontForm, submission.body);
  if (form.source === "product_block" && !form.variantId) throw new OptInRejected(422, "missing_field", "variantId");
  return submit(submission, form, { variantId: form.variantId, productId: form.productId, cartToken: form.cartToken });
}

/** POST /api/checkout-optin from the checkout UI extension (verified by its session token). */
export async function submitCheckoutOptIn(submission: Submission): Promise<OptInResult> {
  const form = parseWith(checkoutForm, submission.body);
  return submit(submission, form, { checkoutToken: form.checkoutToken, orderId: form.orderId });
}

/**
 * Every accepted submission gets the same answer: a new number, one still pending, a subscriber,
 * a subscriber asking for more. Anything that told them apart (a status, 201 for a new record,
 * "confirmation sent") would let anyone who types numbers into a storefront form learn who
 * subscribes to the shop. The shopper learns the rest on WhatsApp.
 */
export const ACCEPTED_STATUS = 200;

/** The JSON the blocks read: `ok`, or `code` (+ `field`) to show in the shopper's language. */
export function optInReply(outcome: OptInResult | OptInRejected, headers?: HeadersInit): Response {
  const merged = new Headers(headers);
  merged.set("Content-Type", "application/json; charset=utf-8");
  merged.set("Cache-Control", "no-store");
  if (outcome instanceof OptInRejected) {
    if (outcome.retryAfter) merged.set("Retry-After", String(outcome.retryAfter));
    return new Response(JSON.stringify({ ok: false, code: outcome.code, ...(outcome.field ? { field: outcome.field } : {}) }), {
      status: outcome.status,
      headers: merged,
    });
  }
  return new Response(JSON.stringify({ ok: true }), { status: ACCEPTED_STATUS, headers: merged });
}
