import type { LoaderFunctionArgs } from "@remix-run/node";
import { directWebhook } from "../webhooks/ingest.server";
import { receiveWhatsAppWebhook, verifyWhatsAppSubscription } from "../whatsapp/webhook.server";

// Meta's subscription check (GET) and notifications (POST): statuses, replies, template changes.
// The server hands POSTs to the action's receive() straight from node:http (server/app-server.ts).
export const loader = ({ request }: LoaderFunctionArgs) => verifyWhatsAppSubscription(new URL(request.url));

export const action = directWebhook(receiveWhatsAppWebhook);
