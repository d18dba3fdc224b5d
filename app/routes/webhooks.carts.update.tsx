import { applyCartWebhook, cartLockKey, cartPayload, cartWebhookSteps } from "../carts/cart.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Carts are replaced whole; a late or repeated delivery never overwrites a newer cart.
export const action = shopifyWebhook({ topic: "carts/update", schema: cartPayload, requiresInstalledShop: true, apply: applyCartWebhook, steps: cartWebhookSteps, lockKey: cartLockKey });
