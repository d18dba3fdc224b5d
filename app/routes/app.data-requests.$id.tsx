import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDataRequest } from "../privacy/data-request.server";
import { authenticate } from "../shopify.server";

// The report gathered for a customers/data_request, for the merchant to pass to the shopper.
// Another shop's id is a 404, not a 403: ids of other shops are not confirmed to exist.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const found = await getDataRequest(session.shop, params.id ?? "");
  if (!found) throw new Response("Not Found", { status: 404 });
  const body = JSON.stringify({ requestedAt: found.requestedAt, customerId: found.customerId, report: found.report }, null, 2);
  return new Response(body, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="data-request-${found.id}.json"`,
      "Cache-Control": "no-store",
    },
  });
};
