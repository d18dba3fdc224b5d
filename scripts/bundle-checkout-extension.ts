import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/**
 * Bundles the checkout UI extension the way Shopify CLI does (esbuild, ESM, Preact JSX, and every
 * `process.env.X` replaced by its value) and reports each target's compressed size. Shopify
 * refuses a checkout UI extension bundle over 64 KB compressed, but only at deploy time, so CI
 * runs this to find out first.
 * https://shopify.dev/docs/api/checkout-ui-extensions#bundle-size
 *
 * The extension posts to the app's absolute URL, which exists only in configuration
 * (SHOPIFY_APP_URL, the app's application_url). A production bundle without a real https URL
 * would post to nowhere, so building one fails here, before `shopify app deploy` does the same
 * bundling with the same variables.
 */
export const SIZE_LIMIT_BYTES = 64 * 1024;

const root = path.resolve(import.meta.dirname, "../extensions/checkout-optin");
const targets = { Checkout: "src/Checkout.tsx", ThankYou: "src/ThankYou.tsx" };

export type BundleEnvironment = "production" | "development";

export interface BundleOptions {
  /** The app's public URL; defaults to SHOPIFY_APP_URL */
  appUrl?: string;
  environment?: BundleEnvironment;
  write?: boolean;
}

export interface BundleSize {
  target: string;
  bytes: number;
  gzipBytes: number;
  code: string;
}

export class AppUrlNotConfigured extends Error {
  constructor(reason: string) {
    super(`checkout extension: ${reason}. Set SHOPIFY_APP_URL to the app's public https URL (its application_url).`);
    this.name = "AppUrlNotConfigured";
  }
}

/** Hosts that only ever appear in templates and examples, never as a deployed app. */
const PLACEHOLDER_HOST = /(^|\.)(example\.(com|net|org)|example|invalid|test|localhost)$|your-|replace|placeholder|changeme/i;

/**
 * The URL the extension will post to, or undefined in a development build without one (the
 * extension then tells the shopper sign-up is unavailable). Production needs an https URL on a
 * real host: no placeholder, no loopback.
 */
export function resolveAppUrl(value: string | undefined, environment: BundleEnvironment): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) {
    if (environment === "production") throw new AppUrlNotConfigured("SHOPIFY_APP_URL is not set");
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new AppUrlNotConfigured("SHOPIFY_APP_URL is not a URL");
  }
  if (url.search || url.hash || url.username || url.password) throw new AppUrlNotConfigured("SHOPIFY_APP_URL must be a plain origin or path");
  if (environment === "production") {
    if (url.protocol !== "https:") throw new AppUrlNotConfigured("SHOPIFY_APP_URL must use https");
    if (PLACEHOLDER_HOST.test(url.hostname) || /^[\d.]+$|^\[/.test(url.hostname)) {
      throw new AppUrlNotConfigured(`SHOPIFY_APP_URL points at ${url.hostname}, which is not a deployed app`);
    }
  } else if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AppUrlNotConfigured("SHOPIFY_APP_URL must use http or https");
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

export async function bundleCheckoutExtension(options: BundleOptions = {}): Promise<BundleSize[]> {
  const environment = options.environment ?? "production";
  const appUrl = resolveAppUrl("appUrl" in options ? options.appUrl : process.env.SHOPIFY_APP_URL, environment);
  // The same replacements Shopify CLI makes; APP_URL is only ever the CLI's dev tunnel.
  const define = {
    "process.env.NODE_ENV": JSON.stringify(environment),
    "process.env.SHOPIFY_APP_URL": appUrl === undefined ? "undefined" : JSON.stringify(appUrl),
    "process.env.APP_URL": "undefined",
  };
  const sizes: BundleSize[] = [];
  for (const [name, entry] of Object.entries(targets)) {
    const result = await build({
      entryPoints: [path.join(root, entry)],
      bundle: true,
      format: "esm",
      target: "es2020",
      minify: true,
      write: false,
      jsx: "automatic",
      jsxImportSource: "preact",
      define,
      logLevel: "silent",
    });
    const code = result.outputFiles[0].contents;
    if (options.write ?? true) {
      mkdirSync(path.join(root, "dist"), { recursive: true });
      writeFileSync(path.join(root, "dist", `${name}.js`), code);
    }
    sizes.push({ target: name, bytes: code.length, gzipBytes: gzipSync(code).length, code: Buffer.from(code).toString("utf8") });
  }
  return sizes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Shopify CLI reads the app's .env too; the shell's own variables win, as they do there.
  const dotenv = path.resolve(import.meta.dirname, "../.env");
  if (existsSync(dotenv)) process.loadEnvFile(dotenv);
  const environment: BundleEnvironment = process.env.NODE_ENV === "development" ? "development" : "production";
  try {
    const sizes = await bundleCheckoutExtension({ environment });
    for (const size of sizes) {
      console.log(`${size.target}: ${size.bytes} B, ${size.gzipBytes} B gzip (limit ${SIZE_LIMIT_BYTES})`);
    }
    if (sizes.some((s) => s.gzipBytes > SIZE_LIMIT_BYTES)) process.exit(1);
  } catch (error) {
    if (!(error instanceof AppUrlNotConfigured)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
