/**
 * Set-based seeding for the benchmarks and the chaos suite: a connected shop, a catalogue, many
 * subscribers waiting on one variant, many due messages, each one INSERT … SELECT over
 * generate_series (100k rows in seconds, where row-by-row creates would take minutes).
 */
import type { FakeTemplate } from "../tests/fakes/whatsapp/server";
import type { Child } from "./child";

export interface ShopSeed {
  shop: string;
  phoneNumberId: string;
  wabaId: string;
  token: string;
  messagesPerSecond: number;
}

const sql = (app: Child, text: string, params: unknown[] = []) => app.call<Array<Record<string, unknown>>>("query", { sql: text, params });

/** An installed Spanish shop that may send at any hour, unlimited tier, with these templates approved. */
export async function seedShop(app: Child, seed: ShopSeed, templates: FakeTemplate[]) {
  const tokenEnc = await app.call<string>("encrypt", { value: seed.token });
  await sql(app, `INSERT INTO "Shop" (shop, timezone, currency, "countryCode", "updatedAt") VALUES ($1, 'Europe/Madrid', 'EUR', 'ES', now())`, [seed.shop]);
  await sql(
    app,
    `INSERT INTO "ShopSettings" (shop, "quietHoursEnabled", "marketingCapPerDay", "marketingCapPerWeek", "messagingLimitTier", "updatedAt")
     VALUES ($1, false, 1, 3, 0, now())`,
    [seed.shop],
  );
  await sql(
    app,
    `INSERT INTO "WhatsAppConnection" (shop, "phoneNumberId", "businessAccountId", "accessTokenEnc", "messagesPerSecond", "updatedAt")
     VALUES ($1, $2, $3, $4, $5, now())`,
    [seed.shop, seed.phoneNumberId, seed.wabaId, tokenEnc, seed.messagesPerSecond],
  );
  for (const t of templates) {
    await sql(
      app,
      `INSERT INTO "MessageTemplate" (id, shop, name, language, category, status, components)
       VALUES (gen_random_uuid()::text, $1, $2, $3, $4::"TemplateCategory", 'APPROVED', $5::jsonb)`,
      [seed.shop, t.name, t.language, t.category, JSON.stringify(t.components)],
    );
  }
}

export interface CatalogueItem {
  variantId: number;
  productId: number;
  inventoryItemId: number;
}

/** `count` in-stock variants of one product, each with its own inventory item. */
export async function seedCatalogue(app: Child, shop: string, count: number, first = 1): Promise<CatalogueItem[]> {
  const productId = 8_000_000 + first;
  await sql(
    app,
    `INSERT INTO "Product" (id, shop, title, handle, "shopifyUpdatedAt", "updatedAt")
     VALUES ($1, $2, 'Linen shirt', 'linen-shirt-' || $1, now() - interval '30 days', now()) ON CONFLICT DO NOTHING`,
    [String(productId), shop],
  );
  await sql(
    app,
    `INSERT INTO "Variant" (id, shop, "productId", title, "inventoryItemId", available, "shopifyUpdatedAt", "updatedAt")
     SELECT (9000000 + g)::text, $1, $2, 'Size ' || g, (7000000 + g)::text, 10, now() - interval '30 days', now()
       FROM generate_series($3::int, $4::int) g`,
    [shop, String(productId), first, first + count - 1],
  );
  return Array.from({ length: count }, (_, i) => ({ variantId: 9_000_000 + first + i, productId, inventoryItemId: 7_000_000 + first + i }));
}

/** `count` subscribed shoppers with ids `${prefix}-1..count`, phones unique within the shop. */
export async function seedSubscribers(app: Child, shop: string, prefix: string, count: number, phoneBase: number) {
  await sql(
    app,
    `INSERT INTO "Subscriber" (id, shop, phone, "callingCode", "countryCode", status, "updatedAt")
     SELECT $2 || '-' || g, $1, '+346' || lpad(($4::int + g)::text, 8, '0'), '34', 'ES', 'subscribed', now()
       FROM generate_series(1, $3::int) g`,
    [shop, prefix, count, phoneBase],
  );
}

/** A sold-out variant of a back-in-stock-enabled shop with `count` shoppers waiting on it. */
export async function seedWaiting(app: Child, shop: string, item: CatalogueItem, count: number) {
  await sql(app, `UPDATE "Variant" SET available = 0 WHERE shop = $1 AND id = $2`, [shop, String(item.variantId)]);
  await sql(
    app,
    `INSERT INTO "InventoryLevel" (shop, "inventoryItemId", "locationId", available, "shopifyUpdatedAt")
     VALUES ($1, $2, '1', 0, now() - interval '1 day')`,
    [shop, String(item.inventoryItemId)],
  );
  await sql(
    app,
    `INSERT INTO "FlowSetting" (shop, flow, enabled, config, "updatedAt") VALUES ($1, 'back_in_stock', true, '{}', now())
     ON CONFLICT (shop, flow) DO UPDATE SET enabled = true`,
    [shop],
  );
  await seedSubscribers(app, shop, "w", count, 1_000_000);
  await sql(
    app,
    `INSERT INTO "BackInStockRequest" (id, shop, "subscriberId", "variantId", "productId", status, "createdAt")
     SELECT 'r-' || g, $1, 'w-' || g, $2, $3, 'waiting', now() - interval '10 days' + g * interval '1 second'
       FROM generate_series(1, $4::int) g`,
    [shop, String(item.variantId), String(item.productId), count],
  );
}

/** `count` opt-in confirmations due now, one per subscriber `${prefix}-n`; ids `${prefix}-n-msg`. */
export async function seedDue(app: Child, shop: string, prefix: string, count: number) {
  await sql(
    app,
    `INSERT INTO "Notification" (id, shop, flow, "dedupKey", "subscriberId", "sendAt", "expiresAt", "templateName", "templateLanguage", params, "updatedAt")
     SELECT $2 || '-' || g || '-msg', $1, 'optin_confirmation', 'optin_confirmation:' || $2 || '-' || g, $2 || '-' || g,
            now() - interval '1 second', now() + interval '7 days', 'optin_confirmation', 'en',
            jsonb_build_object('body', jsonb_build_array('Shopper ' || g, 'Rebound Store')), now()
       FROM generate_series(1, $3::int) g`,
    [shop, prefix, count],
  );
}
