import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { receiveWhatsAppWebhook, verifyWhatsAppSubscription } from "../whatsapp/webhook.server";

// Meta's subscription check (GET) and notifications (POST): statuses, replies, template changes.
export const loader = ({ request }: LoaderFunctionArgs) => verifyWhatsAppSubscription(new URL(request.url));

export const action = ({ request }: ActionFunctionArgs) =>
  request.method === "POST" ? receiveWhatsAppWebhook(request) : new Response("Method Not Allowed", { status: 405 });
