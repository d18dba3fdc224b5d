import type { ActionFunctionArgs } from "@remix-run/node";
import { applyScopesUpdate, scopesUpdatePayload } from "../shops/scopes.server";
import { receiveShopifyWebhook } from "../webhooks/ingest.server";

// The offline session's scopes follow what the merchant granted.
export const action = ({ request }: ActionFunctionArgs) =>
  receiveShopifyWebhook(request, { schema: scopesUpdatePayload, requiresInstalledShop: false, apply: applyScopesUpdate });
