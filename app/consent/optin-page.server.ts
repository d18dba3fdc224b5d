import de from "../../extensions/whatsapp-optin/locales/de.json";
import en from "../../extensions/whatsapp-optin/locales/en.default.json";
import es from "../../extensions/whatsapp-optin/locales/es.json";
import id from "../../extensions/whatsapp-optin/locales/id.json";
import ptBR from "../../extensions/whatsapp-optin/locales/pt-BR.json";
import type { OptInResult } from "./optin.server";
import { ACCEPTED_STATUS, OptInRejected } from "./optin-submission.server";

/**
 * The answer to an opt-in form posted without JavaScript: a short page that Shopify's app proxy
 * renders inside the shop's theme (Content-Type application/liquid), in the shopper's language,
 * with the words the blocks themselves use (the extension's locales) and a link back to the page
 * the form was on. Shopify evaluates the body as Liquid, so nothing the shopper sent is put in it
 * except a return path restricted to characters Liquid and HTML give no meaning.
 * https://shopify.dev/docs/apps/build/online-store/app-proxies
 */
type Messages = typeof en.rebound;
const LOCALES: Record<string, Messages> = { en: en.rebound, de: de.rebound, es: es.rebound, id: id.rebound, "pt-BR": ptBR.rebound };

export function storefrontMessages(locale: unknown): Messages {
  const wanted = typeof locale === "string" ? locale : "en";
  const language = wanted.split("-")[0];
  return LOCALES[wanted] ?? LOCALES[language] ?? Object.entries(LOCALES).find(([key]) => key.startsWith(`${language}-`))?.[1] ?? LOCALES.en;
}

/**
 * A storefront path to go back to, with the variant the shopper was looking at; anything else
 * (another host, other characters or parameters) is the home page.
 */
export function returnPath(raw: unknown): string {
  if (typeof raw !== "string" || raw.length > 300 || !/^\/(?!\/)[A-Za-z0-9/_.~-]*(\?variant=\d{1,20})?$/.test(raw)) return "/";
  return raw;
}

/** Whether the form came from a plain browser post (no script), which wants a page back. */
export function wantsPage(request: Request): boolean {
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  return type === "application/x-www-form-urlencoded" && (request.headers.get("accept") ?? "").includes("text/html");
}

/** A plain post carries the checkbox itself; the script checks it before sending. */
export function requireTickedConsent(body: Record<string, unknown>): void {
  if (body.consent !== "on") throw new OptInRejected(422, "consent_required", "consent");
}

function messageFor(outcome: OptInResult | OptInRejected, text: Messages): { message: string; error: boolean } {
  // One message for every accepted submission, whatever the number's state (optInReply).
  if (!(outcome instanceof OptInRejected)) return { message: text.result.accepted, error: false };
  const errors = text.errors;
  if (outcome.code === "consent_required") return { message: errors.consent_required, error: true };
  if (outcome.field === "phone" && outcome.code !== "invalid_phone") return { message: errors.phone_required, error: true };
  if (outcome.code === "invalid_phone") return { message: errors.invalid_phone, error: true };
  if (outcome.code === "rate_limited") return { message: errors.rate_limited, error: true };
  return { message: errors.generic, error: true };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"'{}%]/g, (c) => `&#${c.charCodeAt(0)};`);

export type LiquidResponse = (body: string, init: { status: number; headers?: HeadersInit }) => Response;

export function optInPage(
  outcome: OptInResult | OptInRejected,
  body: Record<string, unknown>,
  liquid: LiquidResponse,
): Response {
  const text = storefrontMessages(body.locale);
  const { message, error } = messageFor(outcome, text);
  const status = outcome instanceof OptInRejected ? outcome.status : ACCEPTED_STATUS;
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (outcome instanceof OptInRejected && outcome.retryAfter) headers["Retry-After"] = String(outcome.retryAfter);
  // The attribute after href keeps the library from appending a slash to the path.
  const html = `<div class="rebound-optin-result" style="max-width:36rem;margin:3rem auto;padding:0 1rem">
  <p role="${error ? "alert" : "status"}" data-rebound-result="${error ? "error" : "ok"}">${escapeHtml(message)}</p>
  <p><a href="${escapeHtml(returnPath(body.returnTo))}" class="rebound-optin-result__back">${escapeHtml(text.form.back)}</a></p>
</div>`;
  return liquid(html, { status, headers });
}
