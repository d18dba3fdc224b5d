import { cartLockKey, cartPayload, cartWebhookStatements } from "../carts/cart.server";
import { shopifyWebhook } from "../webhooks/ingest.server";

// Carts are replaced whole; a late or repeated delivery never overwrites a newer cart.
export const action = shopifyWebhook({ topic: "carts/create", schema: cartPayload, requiresInstalledShop: true, pipelined: { statements: cartWebhookStatements, lockKey: cartLockKey } });
