import { ApiVersion } from "@shopify/shopify-api";

/**
 * The Admin API version every Admin call and webhook subscription uses. shopify.app.toml's
 * `[webhooks] api_version` must name the same one (a unit test holds them together), and the
 * fake Admin API checks operations against Shopify's published schema of this version.
 * https://shopify.dev/docs/api/usage/versioning
 */
export const ADMIN_API_VERSION = ApiVersion.October26;
