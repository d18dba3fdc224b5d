import { randomBytes } from "node:crypto";

/**
 * Webhook bodies shaped like the examples in Shopify's webhook reference (REST resource shape,
 * snake_case, ids as JSON numbers, money as decimal strings, ISO 8601 times with offsets).
 * Builders take the few fields a test cares about and fill the rest plausibly.
 * https://shopify.dev/docs/api/webhooks?reference=toml
 */
let nextId = 7_400_000_000_000;
export const shopifyNumericId = () => nextId++;
export const cartToken = () => `Z2NwLXVzLWVhc3QxOjAxSj${randomBytes(12).toString("hex").toUpperCase()}`;
export const checkoutToken = () => randomBytes(16).toString("hex");

const iso = (at: Date) => at.toISOString();
const money = (amount: string, currency: string) => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
});
const times = (price: string, quantity: number) => ((Math.round(Number(price) * 100) * quantity) / 100).toFixed(2);

export interface LineInput {
  variantId: number;
  productId: number;
  title: string;
  quantity: number;
  price: string;
  sku?: string;
  properties?: Array<{ name: string; value: string }>;
}

export function cartPayload(input: { token?: string; lines: LineInput[]; updatedAt: Date; createdAt?: Date; currency?: string }) {
  const currency = input.currency ?? "USD";
  const token = input.token ?? cartToken();
  return {
    id: token,
    token,
    line_items: input.lines.map((line) => ({
      id: line.variantId,
      properties: Object.fromEntries((line.properties ?? []).map((p) => [p.name, p.value])),
      quantity: line.quantity,
      variant_id: line.variantId,
      key: `${line.variantId}:${randomBytes(16).toString("hex")}`,
      discounted_price: line.price,
      discounts: [],
      gift_card: false,
      grams: 200,
      line_price: times(line.price, line.quantity),
      original_line_price: times(line.price, line.quantity),
      original_price: line.price,
      price: line.price,
      product_id: line.productId,
      sku: line.sku ?? `SKU-${line.variantId}`,
      taxable: true,
      title: line.title,
      total_discount: "0.00",
      vendor: "Rebound Test Goods",
      discounted_price_set: money(line.price, currency),
      line_price_set: money(times(line.price, line.quantity), currency),
      original_line_price_set: money(times(line.price, line.quantity), currency),
      price_set: money(line.price, currency),
      total_discount_set: money("0.00", currency),
    })),
    note: null,
    updated_at: iso(input.updatedAt),
    created_at: iso(input.createdAt ?? input.updatedAt),
  };
}

export interface CustomerInput {
  id: number;
  email?: string | null;
  phone?: string | null;
  firstName?: string;
}

function customer(input: CustomerInput | undefined, at: Date) {
  if (!input) return null;
  return {
    id: input.id,
    email: input.email ?? null,
    accepts_marketing: false,
    created_at: iso(at),
    updated_at: iso(at),
    first_name: input.firstName ?? "Ana",
    last_name: "Shopper",
    state: "disabled",
    note: null,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    phone: input.phone ?? null,
    tags: "",
    currency: "USD",
    admin_graphql_api_id: `gid://shopify/Customer/${input.id}`,
  };
}

function address(phone: string | null | undefined) {
  return {
    first_name: "Ana",
    last_name: "Shopper",
    address1: "Calle Mayor 1",
    city: "Madrid",
    zip: "28013",
    province: "Madrid",
    country: "Spain",
    country_code: "ES",
    phone: phone ?? null,
  };
}

export function checkoutPayload(input: {
  token?: string;
  cartToken?: string | null;
  email?: string | null;
  phone?: string | null;
  shippingPhone?: string | null;
  customer?: CustomerInput;
  lines: LineInput[];
  updatedAt: Date;
  completedAt?: Date | null;
  currency?: string;
}) {
  const currency = input.currency ?? "USD";
  const token = input.token ?? checkoutToken();
  const subtotal = input.lines.reduce((sum, l) => sum + Number(times(l.price, l.quantity)), 0).toFixed(2);
  return {
    id: shopifyNumericId(),
    token,
    cart_token: input.cartToken ?? null,
    email: input.email ?? null,
    gateway: null,
    buyer_accepts_marketing: false,
    created_at: iso(input.updatedAt),
    updated_at: iso(input.updatedAt),
    landing_site: "/",
    note: null,
    note_attributes: [],
    referring_site: "",
    shipping_lines: [],
    taxes_included: false,
    total_weight: 0,
    currency,
    completed_at: input.completedAt ? iso(input.completedAt) : null,
    closed_at: null,
    user_id: null,
    location_id: null,
    source_identifier: null,
    source_url: null,
    device_id: null,
    phone: input.phone ?? null,
    customer_locale: "en",
    line_items: input.lines.map((line) => ({
      applied_discounts: [],
      discount_allocations: [],
      key: randomBytes(16).toString("hex"),
      destination_location_id: null,
      fulfillment_service: "manual",
      gift_card: false,
      grams: 200,
      origin_location_id: null,
      presentment_title: line.title,
      presentment_variant_title: "",
      product_id: line.productId,
      properties: null,
      quantity: line.quantity,
      requires_shipping: true,
      sku: line.sku ?? `SKU-${line.variantId}`,
      tax_lines: [],
      taxable: true,
      title: line.title,
      variant_id: line.variantId,
      variant_title: "",
      variant_price: line.price,
      vendor: "Rebound Test Goods",
      user_id: null,
      unit_price_measurement: { measured_type: null, quantity_value: null, quantity_unit: null, reference_value: null, reference_unit: null },
      rank: null,
      compare_at_price: null,
      line_price: times(line.price, line.quantity),
      price: line.price,
    })),
    name: `#${token.slice(0, 8)}`,
    source: null,
    abandoned_checkout_url: `https://checkout.local/checkouts/${token}/recover?key=${randomBytes(8).toString("hex")}`,
    discount_codes: [],
    tax_lines: [],
    source_name: "web",
    presentment_currency: currency,
    buyer_accepts_sms: false,
    sms_marketing_phone: null,
    total_discounts: "0.00",
    total_line_items_price: subtotal,
    total_price: subtotal,
    total_tax: "0.00",
    subtotal_price: subtotal,
    total_duties: null,
    billing_address: address(input.shippingPhone),
    shipping_address: address(input.shippingPhone),
    customer: customer(input.customer, input.updatedAt),
  };
}

export function orderPayload(input: {
  id?: number;
  cartToken?: string | null;
  checkoutToken?: string | null;
  email?: string | null;
  phone?: string | null;
  shippingPhone?: string | null;
  customer?: CustomerInput;
  lines: LineInput[];
  createdAt: Date;
  updatedAt?: Date;
  financialStatus?: string;
  currency?: string;
}) {
  const currency = input.currency ?? "USD";
  const id = input.id ?? shopifyNumericId();
  const subtotal = input.lines.reduce((sum, l) => sum + Number(times(l.price, l.quantity)), 0).toFixed(2);
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    app_id: null,
    browser_ip: null,
    buyer_accepts_marketing: false,
    cancel_reason: null,
    cancelled_at: null,
    cart_token: input.cartToken ?? null,
    checkout_id: shopifyNumericId(),
    checkout_token: input.checkoutToken ?? null,
    closed_at: null,
    confirmed: true,
    contact_email: input.email ?? null,
    created_at: iso(input.createdAt),
    currency,
    current_total_price: subtotal,
    customer_locale: "en",
    email: input.email ?? null,
    financial_status: input.financialStatus ?? "pending",
    fulfillment_status: null,
    name: `#${1000 + (id % 9000)}`,
    note: null,
    note_attributes: [],
    number: id % 9000,
    order_number: 1000 + (id % 9000),
    phone: input.phone ?? null,
    presentment_currency: currency,
    processed_at: iso(input.createdAt),
    source_name: "web",
    subtotal_price: subtotal,
    tags: "",
    test: false,
    token: randomBytes(16).toString("hex"),
    total_discounts: "0.00",
    total_line_items_price: subtotal,
    total_price: subtotal,
    total_price_set: money(subtotal, currency),
    total_tax: "0.00",
    updated_at: iso(input.updatedAt ?? input.createdAt),
    billing_address: address(input.shippingPhone),
    shipping_address: address(input.shippingPhone),
    customer: customer(input.customer, input.createdAt),
    discount_codes: [],
    fulfillments: [],
    refunds: [],
    shipping_lines: [],
    line_items: input.lines.map((line) => ({
      id: shopifyNumericId(),
      admin_graphql_api_id: `gid://shopify/LineItem/${line.variantId}`,
      fulfillable_quantity: line.quantity,
      fulfillment_service: "manual",
      fulfillment_status: null,
      gift_card: false,
      grams: 200,
      name: line.title,
      price: line.price,
      price_set: money(line.price, currency),
      product_exists: true,
      product_id: line.productId,
      properties: line.properties ?? [],
      quantity: line.quantity,
      requires_shipping: true,
      sku: line.sku ?? `SKU-${line.variantId}`,
      taxable: true,
      title: line.title,
      total_discount: "0.00",
      variant_id: line.variantId,
      variant_inventory_management: "shopify",
      variant_title: null,
      vendor: "Rebound Test Goods",
      tax_lines: [],
      discount_allocations: [],
    })),
  };
}

export interface VariantInput {
  id: number;
  inventoryItemId: number;
  price: string;
  title?: string;
  sku?: string;
  inventoryQuantity?: number;
  inventoryPolicy?: "deny" | "continue";
}

export function productPayload(input: {
  id: number;
  title: string;
  handle?: string;
  imageSrc?: string | null;
  variants: VariantInput[];
  updatedAt: Date;
}) {
  const image = input.imageSrc
    ? { id: shopifyNumericId(), product_id: input.id, position: 1, alt: null, width: 800, height: 800, src: input.imageSrc, variant_ids: [] }
    : null;
  return {
    admin_graphql_api_id: `gid://shopify/Product/${input.id}`,
    body_html: "<p>Test product</p>",
    created_at: iso(input.updatedAt),
    handle: input.handle ?? input.title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    id: input.id,
    product_type: "",
    published_at: iso(input.updatedAt),
    template_suffix: null,
    title: input.title,
    updated_at: iso(input.updatedAt),
    vendor: "Rebound Test Goods",
    status: "active",
    published_scope: "web",
    tags: "",
    variants: input.variants.map((variant, index) => ({
      admin_graphql_api_id: `gid://shopify/ProductVariant/${variant.id}`,
      barcode: null,
      compare_at_price: null,
      created_at: iso(input.updatedAt),
      id: variant.id,
      inventory_policy: variant.inventoryPolicy ?? "deny",
      position: index + 1,
      price: variant.price,
      product_id: input.id,
      sku: variant.sku ?? `SKU-${variant.id}`,
      taxable: true,
      title: variant.title ?? "Default Title",
      updated_at: iso(input.updatedAt),
      option1: variant.title ?? "Default Title",
      option2: null,
      option3: null,
      image_id: null,
      inventory_item_id: variant.inventoryItemId,
      inventory_quantity: variant.inventoryQuantity ?? 0,
      old_inventory_quantity: variant.inventoryQuantity ?? 0,
    })),
    options: [{ name: "Title", id: shopifyNumericId(), product_id: input.id, position: 1, values: ["Default Title"] }],
    images: image ? [image] : [],
    image,
    media: [],
    variant_gids: input.variants.map((v) => ({ admin_graphql_api_id: `gid://shopify/ProductVariant/${v.id}`, updated_at: iso(input.updatedAt) })),
  };
}

export function inventoryLevelPayload(input: { inventoryItemId: number; locationId: number; available: number | null; updatedAt: Date }) {
  return {
    inventory_item_id: input.inventoryItemId,
    location_id: input.locationId,
    available: input.available,
    updated_at: iso(input.updatedAt),
    admin_graphql_api_id: `gid://shopify/InventoryLevel/${input.locationId}?inventory_item_id=${input.inventoryItemId}`,
  };
}

export function scopesUpdatePayload(input: { previous: string[]; current: string[]; updatedAt: Date }) {
  return { id: shopifyNumericId(), previous: input.previous, current: input.current, updated_at: iso(input.updatedAt) };
}

export function customersRedactPayload(input: { shop: string; customer: { id: number; email?: string | null; phone?: string | null }; ordersToRedact?: number[] }) {
  return {
    shop_id: shopifyNumericId(),
    shop_domain: input.shop,
    customer: { id: input.customer.id, email: input.customer.email ?? null, phone: input.customer.phone ?? null },
    orders_to_redact: input.ordersToRedact ?? [],
  };
}

export function customersDataRequestPayload(input: { shop: string; customer: { id: number; email?: string | null; phone?: string | null }; ordersRequested?: number[] }) {
  return {
    shop_id: shopifyNumericId(),
    shop_domain: input.shop,
    orders_requested: input.ordersRequested ?? [],
    customer: { id: input.customer.id, email: input.customer.email ?? null, phone: input.customer.phone ?? null },
    data_request: { id: shopifyNumericId() },
  };
}

export function shopRedactPayload(input: { shop: string }) {
  return { shop_id: shopifyNumericId(), shop_domain: input.shop };
}

/**
 * customers/update, REST-shaped. Since 2025-01 customer payloads carry neither tags nor marketing
 * consent (email, SMS; WhatsApp has its own fields in the Admin API only).
 * https://shopify.dev/changelog/new-customer-s-webhook-and-changes-to-existing-customer-s-webhooks-payload
 */
export function customerUpdatePayload(input: { id: number; phone?: string | null; email?: string | null; createdAt?: Date; updatedAt: Date }) {
  return {
    id: input.id,
    email: input.email ?? null,
    created_at: iso(input.createdAt ?? input.updatedAt),
    updated_at: iso(input.updatedAt),
    first_name: "Ana",
    last_name: "Shopper",
    state: "enabled",
    note: null,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    phone: input.phone ?? null,
    currency: "USD",
    addresses: [],
    tax_exemptions: [],
    admin_graphql_api_id: `gid://shopify/Customer/${input.id}`,
    default_address: null,
  };
}
