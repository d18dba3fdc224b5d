import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Liquid, Tag, type TagToken, type TopLevelToken, type Context, type Emitter } from "liquidjs";

/**
 * Renders a theme app extension's blocks the way a storefront would, with the few Shopify tags
 * and filters the blocks use: {% schema %} (emits nothing), `t` (from the extension's locales,
 * with {{ name }} interpolation), asset_url, stylesheet_tag, script_tag, money and md5. The storefront
 * objects (product, shop, cart, localization, request) are passed in by the test.
 */
export interface ThemeRenderer {
  render(block: string, scope: Record<string, unknown>): Promise<string>;
  /** Contents of an asset, for serving at assetUrl(name) */
  asset(name: string): Buffer;
  assetUrl(name: string): string;
}

export const ASSET_PREFIX = "/cdn/shop/extensions/whatsapp-optin/assets/";

function lookup(tree: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), tree);
}

export function themeRenderer(extensionRoot: string, locale = "en"): ThemeRenderer {
  const localeFile = locale === "en" ? "en.default.json" : `${locale}.json`;
  const translations = JSON.parse(readFileSync(path.join(extensionRoot, "locales", localeFile), "utf8"));
  const engine = new Liquid({
    root: [path.join(extensionRoot, "blocks")],
    partials: [path.join(extensionRoot, "snippets")],
    extname: ".liquid",
    strictFilters: true,
  });

  engine.registerTag(
    "schema",
    class extends Tag {
      constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
        super(token, remain, liquid);
        while (remain.length) {
          const next = remain.shift()!;
          if ((next as TagToken).name === "endschema") return;
        }
        throw new Error("{% schema %} without {% endschema %}");
      }
      render(_ctx: Context, _emitter: Emitter) {}
    },
  );

  engine.registerFilter("t", (key: string, ...args: Array<[string, unknown]>) => {
    const value = lookup(translations, key);
    if (typeof value !== "string") return `translation missing: ${locale}.${key}`;
    const vars = Object.fromEntries(args.filter(Array.isArray));
    return value.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => String(vars[name] ?? ""));
  });
  const assetUrl = (name: string) => `${ASSET_PREFIX}${name}?v=1`;
  engine.registerFilter("asset_url", assetUrl);
  engine.registerFilter("stylesheet_tag", (url: string) => `<link href="${url}" rel="stylesheet" type="text/css" media="all" />`);
  engine.registerFilter("script_tag", (url: string) => `<script src="${url}" type="text/javascript"></script>`);
  engine.registerFilter("md5", (value: unknown) => createHash("md5").update(String(value ?? "")).digest("hex"));
  engine.registerFilter("money", (cents: number) => (Number(cents) / 100).toFixed(2));

  return {
    // Shopify makes its global objects (shop, localization, cart, request) visible inside
    // {% render %} snippets while hiding the caller's variables; liquidjs does that with globals.
    render: (block, scope) => engine.renderFile(block, scope, { globals: scope }),
    asset: (name) => readFileSync(path.join(extensionRoot, "assets", name)),
    assetUrl,
  };
}
