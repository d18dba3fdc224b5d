import type { ActionFunctionArgs } from "@remix-run/node";
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
export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { session } = await authenticate.public.appProxy(request);
  if (request.method !== "POST") return optInReply(new OptInRejected(405, "method_not_allowed"), { Allow: "POST" });
  // No offline session: the shop never installed the app or has uninstalled it.
  if (!session) return optInReply(new OptInRejected(404, "shop_not_found"));
  try {
    const body = await readFormBody(request);
    const result = await submitStorefrontOptIn({
      shop: session.shop,
      body,
      ip: clientIp(request, context),
      userAgent: request.headers.get("user-agent"),
      now: systemClock.now(),
    });
    return optInReply(result);
  } catch (error) {
    if (error instanceof OptInRejected) return optInReply(error);
    throw error;
  }
};

export const loader = () => optInReply(new OptInRejected(405, "method_not_allowed"), { Allow: "POST" });
