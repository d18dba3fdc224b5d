import type { ActionFunctionArgs } from "@remix-run/node";
import { optInPage, requireTickedConsent, wantsPage } from "../consent/optin-page.server";
import {
  OptInRejected,
  clientIp,
  optInReply,
  readFormBody,
  submitStorefrontOptIn,
} from "../consent/optin-submission.server";
import { systemClock } from "../shared/clock";
import { authenticate } from "../shopify.server";

// Storefront opt-in forms post to /apps/rebound/optin; Shopify's app proxy forwards them here,
// signed. A bad signature is answered 400 by authenticate.public.appProxy (it throws a Response).
// The blocks' script posts JSON and reads JSON; a browser without it posts the form and gets a
// page rendered in the shop's theme.
export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { session, liquid } = await authenticate.public.appProxy(request);
  if (request.method !== "POST") return optInReply(new OptInRejected(405, "method_not_allowed"), { Allow: "POST" });
  const page = wantsPage(request);
  let body: Record<string, unknown> = {};
  const reply = (outcome: Parameters<typeof optInReply>[0]) => (page ? optInPage(outcome, body, liquid) : optInReply(outcome));
  // No offline session: the shop never installed the app or has uninstalled it.
  if (!session) return reply(new OptInRejected(404, "shop_not_found"));
  try {
    body = await readFormBody(request);
    if (page) requireTickedConsent(body);
    const result = await submitStorefrontOptIn({
      shop: session.shop,
      body,
      ip: clientIp(request, context, { shopifyProxy: true }),
      userAgent: request.headers.get("user-agent"),
      now: systemClock.now(),
    });
    return reply(result);
  } catch (error) {
    if (error instanceof OptInRejected) return reply(error);
    throw error;
  }
};

export const loader = () => optInReply(new OptInRejected(405, "method_not_allowed"), { Allow: "POST" });
