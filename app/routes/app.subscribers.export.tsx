import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportSubscribersCsv, parseSubscriberQuery } from "../consent/subscribers.server";
import { authenticate } from "../shopify.server";

// CSV of the shop's subscribers with their opt-in proof (same filters as the list).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { filters } = parseSubscriberQuery(new URL(request.url).searchParams);
  const csv = await exportSubscribersCsv(session.shop, filters);
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="subscribers.csv"',
      "Cache-Control": "no-store",
    },
  });
};
