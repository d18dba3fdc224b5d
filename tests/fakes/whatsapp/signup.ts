import { randomBytes } from "node:crypto";
import { badToken, holds, noToken, unreadable, type GraphAnswer, type ManagedNumber } from "./business-management";
import type { GraphRequest, GraphRoute } from "./server";

/**
 * Embedded Signup in the fake Graph API, and a local stand-in for Meta's popup.
 *
 * Graph API, as Meta documents it:
 *   GET    /{version}/oauth/access_token?client_id&client_secret&code -> { access_token, token_type }
 *   POST   /{version}/{waba-id}/subscribed_apps     -> { success: true }
 *   GET    /{version}/{waba-id}/subscribed_apps     -> { data: [{ whatsapp_business_api_data: { id, name, link } }] }
 *   DELETE /{version}/{waba-id}/subscribed_apps     -> { success: true }
 *   POST   /{version}/{phone-number-id}/register    { messaging_product: "whatsapp", pin } -> { success: true }
 *   POST   /{version}/{phone-number-id}/deregister  -> { success: true }
 * A code is good once and for 30 seconds, and only with the app's own id and secret; it yields a
 * new business token that manages the account of the number it was issued for.
 * https://developers.facebook.com/docs/whatsapp/embedded-signup/implementation
 * https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/subscribed_apps/
 * https://developers.facebook.com/docs/whatsapp/cloud-api/reference/registration
 *
 * The stand-in (Meta's SDK and popup cannot be reached offline):
 *   GET  /en_US/sdk.js      defines window.FB with init() and login(); login opens the popup
 *   GET  /signup/dialog     the popup: choose one of the fake's numbers, Finish or Cancel
 *   POST /signup/finish     issues the code for the chosen number (what Meta does at the end)
 * On Finish the popup posts the WA_EMBEDDED_SIGNUP FINISH session-info message (sessionInfoVersion 3)
 * to window.opener, and hands the code to FB.login's callback through the SDK, as Meta's do.
 */
export type SignupStep = "subscribe" | "unsubscribe" | "register" | "deregister";

interface IssuedCode {
  phoneNumberId: string;
  wabaId: string;
  expiresAt: number;
  used: boolean;
}

interface FakeApp {
  readonly appId: string;
  readonly appSecret: string;
  readonly origin: string;
  addRoute(route: GraphRoute): void;
  addPage(page: GraphRoute): void;
}

const CODE_LIFETIME_MS = 30_000;

function oauthError(message: string, code: number, subcode?: number): GraphAnswer {
  const error: Record<string, unknown> = { message, type: "OAuthException", code, fbtrace_id: randomBytes(8).toString("base64url") };
  if (subcode) error.error_subcode = subcode;
  return { status: 400, body: { error } };
}

const ok = (): GraphAnswer => ({ status: 200, body: { success: true } });

export class FakeSignup {
  /** Accounts and the app ids subscribed to their webhooks */
  readonly subscriptions = new Map<string, Set<string>>();
  /** Registered numbers and the PIN each was registered with */
  readonly registrations = new Map<string, string>();
  /** Every signup call the fake answered, in order (to assert what was undone) */
  readonly calls: Array<{ step: SignupStep | "exchange"; target: string; status: number }> = [];
  private readonly codes = new Map<string, IssuedCode>();
  private readonly refusals = new Map<SignupStep, number>();
  /** Now, for code expiry; tests may move it */
  clock: () => number = Date.now;

  constructor(private readonly app: FakeApp, private readonly numbers: ManagedNumber[]) {}

  /** What the popup does when the merchant finishes: a code for the chosen number. */
  issueCode(phoneNumberId: string): { code: string; wabaId: string } {
    const number = this.numbers.find((n) => n.phoneNumberId === phoneNumberId);
    if (!number) throw new Error(`no number ${phoneNumberId}`);
    const code = `AQ${randomBytes(24).toString("base64url")}`;
    this.codes.set(code, { phoneNumberId, wabaId: number.wabaId, expiresAt: this.clock() + CODE_LIFETIME_MS, used: false });
    return { code, wabaId: number.wabaId };
  }

  /** The next call of this step fails with this Graph error code. */
  refuseNext(step: SignupStep, code: number) {
    this.refusals.set(step, code);
  }

  isSubscribed(wabaId: string) {
    return this.subscriptions.get(wabaId)?.has(this.app.appId) ?? false;
  }

  readonly route: GraphRoute = (request) => {
    const [node, edge] = request.path;
    if (request.method === "GET" && node === "oauth" && edge === "access_token") return this.exchange(request.url);
    if (edge === "subscribed_apps") return this.subscribedApps(request, node);
    if (request.method === "POST" && (edge === "register" || edge === "deregister")) return this.registration(request, node, edge);
    return null;
  };

  private exchange(url: URL): GraphAnswer {
    const answer = (status: GraphAnswer) => {
      this.calls.push({ step: "exchange", target: "oauth/access_token", status: status.status });
      return status;
    };
    if (url.searchParams.get("client_id") !== this.app.appId) return answer(oauthError("Error validating application. Invalid application ID.", 101));
    if (url.searchParams.get("client_secret") !== this.app.appSecret) return answer(oauthError("Error validating client secret.", 100));
    const issued = this.codes.get(url.searchParams.get("code") ?? "");
    if (!issued) return answer(oauthError("Invalid verification code format.", 100));
    if (issued.used) return answer(oauthError("This authorization code has been used.", 100));
    if (issued.expiresAt <= this.clock()) return answer(oauthError("This authorization code has expired.", 100));
    issued.used = true;
    const token = `EAAB${randomBytes(24).toString("base64url")}`;
    for (const number of this.numbers.filter((n) => n.wabaId === issued.wabaId)) (number.grantedTokens ??= []).push(token);
    return answer({ status: 200, body: { access_token: token, token_type: "bearer" } });
  }

  /** Graph error for a token that may not manage the account, or null when it may. */
  private denied(token: string, wabaId: string, id: string): GraphAnswer | null {
    if (!token) return noToken();
    if (!this.numbers.some((n) => holds(n, token))) return badToken();
    if (!this.numbers.some((n) => n.wabaId === wabaId && holds(n, token))) return unreadable(id);
    return null;
  }

  private refused(step: SignupStep, target: string): GraphAnswer | null {
    const code = this.refusals.get(step);
    if (code === undefined) return null;
    this.refusals.delete(step);
    this.calls.push({ step, target, status: 400 });
    return oauthError(`(#${code}) The request was refused`, code);
  }

  private subscribedApps(request: GraphRequest, wabaId: string): GraphAnswer | null {
    const denied = this.denied(request.token, wabaId, wabaId);
    if (denied) return denied;
    const apps = this.subscriptions.get(wabaId) ?? new Set<string>();
    this.subscriptions.set(wabaId, apps);
    if (request.method === "GET") {
      const data = [...apps].map((id) => ({ whatsapp_business_api_data: { id, link: `https://www.facebook.com/games/?app_id=${id}`, name: "Rebound" } }));
      return { status: 200, body: { data } };
    }
    const step: SignupStep = request.method === "DELETE" ? "unsubscribe" : "subscribe";
    if (request.method !== "POST" && request.method !== "DELETE") return null;
    const refusal = this.refused(step, wabaId);
    if (refusal) return refusal;
    if (step === "subscribe") apps.add(this.app.appId);
    else apps.delete(this.app.appId);
    this.calls.push({ step, target: wabaId, status: 200 });
    return ok();
  }

  private registration(request: GraphRequest, phoneNumberId: string, edge: "register" | "deregister"): GraphAnswer {
    const number = this.numbers.find((n) => n.phoneNumberId === phoneNumberId);
    const denied = this.denied(request.token, number?.wabaId ?? "", phoneNumberId);
    if (denied) return denied;
    const step: SignupStep = edge;
    const refusal = this.refused(step, phoneNumberId);
    if (refusal) return refusal;
    if (edge === "deregister") {
      this.registrations.delete(phoneNumberId);
      this.calls.push({ step, target: phoneNumberId, status: 200 });
      return ok();
    }
    let body: { messaging_product?: unknown; pin?: unknown };
    try {
      body = JSON.parse(request.body.toString("utf8") || "{}");
    } catch {
      return oauthError("(#100) The parameter messaging_product is required.", 100);
    }
    if (body.messaging_product !== "whatsapp") return oauthError("(#100) The parameter messaging_product is required.", 100);
    if (typeof body.pin !== "string" || !/^\d{6}$/.test(body.pin)) return oauthError("(#100) Param pin must be 6 digits.", 100);
    const current = this.registrations.get(phoneNumberId);
    if (current !== undefined && current !== body.pin) return oauthError("(#133005) Two step verification PIN Mismatch", 133005);
    this.registrations.set(phoneNumberId, body.pin);
    this.calls.push({ step, target: phoneNumberId, status: 200 });
    return ok();
  }

  readonly page: GraphRoute = (request) => {
    const path = request.path.join("/");
    if (request.method === "GET" && path === "en_US/sdk.js") {
      return { status: 200, contentType: "text/javascript", headers: { "Access-Control-Allow-Origin": "*" }, body: sdkStandIn(this.app.origin) };
    }
    if (request.method === "GET" && path === "signup/dialog") {
      return { status: 200, contentType: "text/html; charset=utf-8", body: dialogPage(this.numbers, request.url) };
    }
    if (request.method === "POST" && path === "signup/finish") {
      let chosen: { phone_number_id?: unknown; app_id?: unknown };
      try {
        chosen = JSON.parse(request.body.toString("utf8"));
      } catch {
        return { status: 400, body: { error: "not JSON" } };
      }
      if (chosen.app_id !== this.app.appId) return { status: 400, body: { error: "unknown app" } };
      const number = this.numbers.find((n) => n.phoneNumberId === chosen.phone_number_id);
      if (!number) return { status: 400, body: { error: "unknown number" } };
      const { code, wabaId } = this.issueCode(number.phoneNumberId);
      return { status: 200, body: { code, phone_number_id: number.phoneNumberId, waba_id: wabaId } };
    }
    return null;
  };
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** window.FB as the admin uses it: init(), and login() opening the popup and waiting for its answer. */
function sdkStandIn(origin: string): string {
  return `(function () {
  var ORIGIN = ${JSON.stringify(origin)};
  var settings = null;
  var pending = null;
  function answer(response) {
    if (!pending) return;
    var callback = pending;
    pending = null;
    callback(response);
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== ORIGIN || !event.data || event.data.type !== "STAND_IN_LOGIN_RESPONSE") return;
    answer(event.data.code ? { status: "connected", authResponse: { code: event.data.code } } : { status: "unknown", authResponse: null });
  });
  window.FB = {
    init: function (options) { settings = options; },
    login: function (callback, options) {
      if (!settings || !settings.appId) throw new Error("FB.init() must be called before FB.login()");
      pending = callback;
      var query = new URLSearchParams({
        app_id: settings.appId, version: settings.version || "", config_id: (options && options.config_id) || "",
        response_type: (options && options.response_type) || "", origin: location.origin,
        session_info_version: (options && options.extras && options.extras.sessionInfoVersion) || ""
      });
      var popup = window.open(ORIGIN + "/signup/dialog?" + query.toString(), "embedded_signup", "width=640,height=720");
      var watch = setInterval(function () {
        if (!popup || popup.closed) { clearInterval(watch); setTimeout(function () { answer({ status: "unknown", authResponse: null }); }, 200); }
      }, 250);
    }
  };
  if (typeof window.fbAsyncInit === "function") window.fbAsyncInit();
})();
`;
}

/** The popup: the fake's numbers to choose from, Finish and Cancel. */
function dialogPage(numbers: ManagedNumber[], url: URL): string {
  const appId = url.searchParams.get("app_id") ?? "";
  const target = url.searchParams.get("origin") ?? "";
  const options = numbers
    .map((n, i) => `<label><input type="radio" name="number" value="${escape(n.phoneNumberId)}"${i === 0 ? " checked" : ""}> ${escape(n.displayPhoneNumber ?? n.phoneNumberId)} (${escape(n.verifiedName ?? "Test Business")})</label><br>`)
    .join("\n");
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Connect WhatsApp (local stand-in)</title></head>
<body style="font-family: sans-serif; padding: 24px">
<h1>WhatsApp Business (local stand-in)</h1>
<p>Choose the number to connect.</p>
<form id="signup">${options}</form>
<p><button id="finish" type="button">Finish</button> <button id="cancel" type="button">Cancel</button></p>
<script>
  var APP_ID = ${JSON.stringify(appId)};
  var TARGET = ${JSON.stringify(target)};
  function post(message) { if (window.opener) window.opener.postMessage(message, TARGET); }
  document.getElementById("finish").onclick = function () {
    var chosen = document.querySelector("input[name=number]:checked");
    fetch("/signup/finish", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ app_id: APP_ID, phone_number_id: chosen && chosen.value }) })
      .then(function (r) { return r.json(); })
      .then(function (given) {
        post(JSON.stringify({ type: "WA_EMBEDDED_SIGNUP", event: "FINISH", version: "3", data: { phone_number_id: given.phone_number_id, waba_id: given.waba_id } }));
        post({ type: "STAND_IN_LOGIN_RESPONSE", code: given.code });
        window.close();
      });
  };
  document.getElementById("cancel").onclick = function () {
    post(JSON.stringify({ type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", version: "3", data: { current_step: "PHONE_NUMBER_SETUP" } }));
    post({ type: "STAND_IN_LOGIN_RESPONSE", code: null });
    window.close();
  };
</script>
</body></html>`;
}

/** Adds Embedded Signup's routes and the stand-in's pages to the fake; returns it for tests. */
export function registerSignup(app: FakeApp, numbers: ManagedNumber[]): FakeSignup {
  const signup = new FakeSignup(app, numbers);
  app.addRoute(signup.route);
  app.addPage(signup.page);
  return signup;
}
