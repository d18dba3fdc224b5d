import { randomBytes } from "node:crypto";

/**
 * The WhatsApp Business Management reads of the fake Cloud API, as Meta documents them:
 *   GET /{version}/{waba-id}/phone_numbers   the account's numbers, cursor-paged
 *   GET /{version}/{phone-number-id}         one number (with its portfolio's messaging limit:
 *     whatsapp_business_manager_messaging_limit, as set by account-signals.ts)
 * Each demands a bearer token that may read the account: none at all is Graph error 104, a token
 * Meta does not know 190, and an id the token cannot see 100 with subcode 33 (Meta does not say
 * whether the object is missing or merely not yours).
 * https://developers.facebook.com/docs/whatsapp/business-management-api/manage-phone-numbers
 * https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/phone_numbers/
 * https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
export interface ManagedNumber {
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  /** Business tokens Embedded Signup issued for the number's account (signup.ts) */
  grantedTokens?: string[];
  displayPhoneNumber?: string;
  verifiedName?: string;
  /** The business portfolio's messaging limit as Meta reports it (default TIER_250); see account-signals.ts */
  messagingLimit?: string;
  /** GREEN (default), YELLOW, RED, UNKNOWN */
  qualityRating?: string;
}

/** The token may manage the number's account: the number's own, or one Embedded Signup issued. */
export const holds = (number: Pick<ManagedNumber, "accessToken" | "grantedTokens">, token: string) =>
  Boolean(token) && (number.accessToken === token || (number.grantedTokens ?? []).includes(token));

export interface GraphAnswer {
  status: number;
  /** JSON, unless contentType says otherwise (then a string sent as is) */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

const fbtrace = () => randomBytes(8).toString("base64url");

function error(status: number, fields: { message: string; type: string; code: number; error_subcode?: number }): GraphAnswer {
  return { status, body: { error: { ...fields, fbtrace_id: fbtrace() } } };
}

export const noToken = () => error(400, { message: "An access token is required to request this resource.", type: "OAuthException", code: 104 });
export const badToken = () => error(401, { message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190 });
export const unreadable = (id: string) =>
  error(400, {
    message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    type: "GraphMethodException",
    code: 100,
    error_subcode: 33,
  });

/** Meta's default fields of a phone number, and those asked for with `fields`. */
const DEFAULT_FIELDS = ["verified_name", "display_phone_number", "id", "quality_rating"];

function numberNode(number: ManagedNumber, fields: string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: number.phoneNumberId,
    verified_name: number.verifiedName ?? "Test Business",
    display_phone_number: number.displayPhoneNumber ?? "+1 555-000-0000",
    quality_rating: number.qualityRating ?? "GREEN",
    whatsapp_business_manager_messaging_limit: number.messagingLimit ?? "TIER_250",
    code_verification_status: "VERIFIED",
    platform_type: "CLOUD_API",
  };
  return Object.fromEntries(["id", ...fields.filter((f) => f !== "id")].filter((f) => f in all).map((f) => [f, all[f]]));
}

function requestedFields(url: URL): string[] {
  const given = url.searchParams.get("fields");
  return given ? given.split(",").map((f) => f.trim()).filter(Boolean) : DEFAULT_FIELDS;
}

/** The answer to a business management read, or null when the request is not one. */
export function answerBusinessManagement(numbers: ManagedNumber[], url: URL, authorization: string | undefined): GraphAnswer | null {
  const parts = url.pathname.split("/").filter(Boolean);
  const isList = parts.length === 3 && parts[2] === "phone_numbers";
  const isNode = parts.length === 2;
  if (!isList && !isNode) return null;
  const node = parts[1];
  const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1] ?? url.searchParams.get("access_token");
  if (!token) return noToken();
  if (!numbers.some((n) => holds(n, token))) return badToken();
  // A token reads the accounts whose numbers it was issued for.
  const readable = (wabaId: string) => numbers.some((n) => n.wabaId === wabaId && holds(n, token));

  if (isNode) {
    const number = numbers.find((n) => n.phoneNumberId === node);
    if (!number || !readable(number.wabaId)) return unreadable(node);
    return { status: 200, body: numberNode(number, requestedFields(url)) };
  }
  if (!readable(node)) return unreadable(node);
  const all = numbers.filter((n) => n.wabaId === node);
  const limit = Math.max(1, Number(url.searchParams.get("limit") ?? 25) || 25);
  const afterCursor = url.searchParams.get("after");
  const start = afterCursor ? Number(Buffer.from(afterCursor, "base64url").toString("utf8")) || 0 : 0;
  const page = all.slice(start, start + limit);
  const cursor = (index: number) => Buffer.from(String(index)).toString("base64url");
  const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(start + page.length) } };
  if (start + limit < all.length) {
    const next = new URL(`https://graph.facebook.com${url.pathname}`);
    for (const [key, value] of url.searchParams) if (key !== "after" && key !== "access_token") next.searchParams.set(key, value);
    next.searchParams.set("after", cursor(start + limit));
    paging.next = next.toString();
  }
  return { status: 200, body: { data: page.map((n) => numberNode(n, requestedFields(url))), paging } };
}
