import { applyScopesUpdate, scopesUpdatePayload } from "../shops/scopes.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// The offline session's scopes follow what the merchant granted.
export const action = shopifyWebhook({ topic: "app/scopes_update", schema: scopesUpdatePayload, requiresInstalledShop: false, apply: applyScopesUpdate });
