// Unit tests read configuration like the app does; give them a complete, harmless environment.
process.env.SHOPIFY_API_KEY ??= "test-api-key";
process.env.SHOPIFY_API_SECRET ??= "test-api-secret";
process.env.SHOPIFY_APP_URL ??= "http://127.0.0.1:3000";
process.env.ENCRYPTION_KEYS ??= "k1:" + Buffer.alloc(32, 7).toString("base64");
process.env.CONSENT_HASH_SALT ??= "test-salt";
process.env.LOG_LEVEL ??= "error";
// The app opens its database on first use; until a test gives it one of its own, never the disk.
process.env.PGLITE_DIR ??= "memory://";
