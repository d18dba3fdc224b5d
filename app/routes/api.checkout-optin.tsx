import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import {
  OptInRejected,
  clientIp,
  optInReply,
  readFormBody,
  submitCheckoutOptIn,
} from "../consent/optin-submission.server";
import { checkoutIdentity, withRefusalCors } from "../consent/checkout-identity.server";
import { systemClock } from "../shared/clock";
import { authenticate } from "../shopify.server";

// The checkout / thank-you extension posts here with its session token. The library answers
// OPTIONS preflights itself and 401s a missing or bad token; every reply carries CORS headers.
async function authenticateCheckout(request: Request) {
  try {
    return await authenticate.public.checkout(request);
  } catch (thrown) {
    throw withRefusalCors(thrown, request);
  }
}

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { sessionToken, cors } = await authenticateCheckout(request);
  if (request.method !== "POST") return cors(optInReply(new OptInRejected(405, "method_not_allowed"), { Allow: "POST, OPTIONS" }));
  try {
    const { shop, customerId } = checkoutIdentity(sessionToken);
    const body = await readFormBody(request);
    const result = await submitCheckoutOptIn({
      shop,
      body,
      customerId,
      ip: clientIp(request, context),
      userAgent: request.headers.get("user-agent"),
      now: systemClock.now(),
    });
    return cors(optInReply(result));
  } catch (error) {
    if (error instanceof OptInRejected) return cors(optInReply(error));
    throw error;
  }
};

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { cors } = await authenticateCheckout(request);
  return cors(optInReply(new OptInRejected(405, "method_not_allowed"), { Allow: "POST, OPTIONS" }));
};
