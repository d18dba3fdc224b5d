import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/**
 * Bundles the checkout UI extension the way Shopify CLI does (esbuild, ESM, Preact JSX) and
 * reports each target's compressed size. Shopify refuses a checkout UI extension bundle over
 * 64 KB compressed, but only at deploy time, so CI runs this to find out first.
 * https://shopify.dev/docs/api/checkout-ui-extensions#bundle-size
 */
export const SIZE_LIMIT_BYTES = 64 * 1024;

const root = path.resolve(import.meta.dirname, "../extensions/checkout-optin");
const targets = { Checkout: "src/Checkout.tsx", ThankYou: "src/ThankYou.tsx" };

export interface BundleSize {
  target: string;
  bytes: number;
  gzipBytes: number;
}

export async function bundleCheckoutExtension(appUrl = process.env.SHOPIFY_APP_URL ?? "https://example.com", write = true): Promise<BundleSize[]> {
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
      define: { __REBOUND_APP_URL__: JSON.stringify(appUrl), "process.env.NODE_ENV": '"production"' },
      logLevel: "silent",
    });
    const code = result.outputFiles[0].contents;
    if (write) {
      mkdirSync(path.join(root, "dist"), { recursive: true });
      writeFileSync(path.join(root, "dist", `${name}.js`), code);
    }
    sizes.push({ target: name, bytes: code.length, gzipBytes: gzipSync(code).length });
  }
  return sizes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = await bundleCheckoutExtension();
  for (const size of sizes) {
    console.log(`${size.target}: ${size.bytes} B, ${size.gzipBytes} B gzip (limit ${SIZE_LIMIT_BYTES})`);
  }
  if (sizes.some((s) => s.gzipBytes > SIZE_LIMIT_BYTES)) process.exit(1);
}
