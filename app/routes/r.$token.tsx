import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { isbot } from "isbot";
import { clientIp } from "../consent/optin-submission.server";
import { recordClick } from "../flows/clicks.server";
import { systemClock } from "../shared/clock";

// The tracked link behind every message button: count the tap, then send the shopper on.
export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const automated = isbot(request.headers.get("user-agent"));
  const target = await recordClick(params.token ?? "", systemClock.now(), { automated, clientAddress: clientIp(request, context) });
  if (!target) throw new Response("Not found", { status: 404 });
  return redirect(target.destination, 302);
}
