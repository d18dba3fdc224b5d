import { readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");

/**
 * The app's configuration as `shopify app deploy` pushes it: the access scopes an installation
 * grants, and the API version webhooks are pinned to. Only the two keys are read, with a strict
 * pattern, so a change of layout fails loudly rather than reading nothing.
 * https://shopify.dev/docs/apps/build/cli-for-apps/app-configuration
 */
export interface AppConfig {
  scopes: string[];
  webhooksApiVersion: string;
}

export function tomlString(text: string, section: string, key: string): string {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === `[${section}]`);
  if (start < 0) throw new Error(`shopify.app.toml has no [${section}] section`);
  for (const line of lines.slice(start + 1)) {
    if (/^\s*\[/.test(line)) break;
    const match = new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"\\s*(#.*)?$`).exec(line);
    if (match) return match[1];
  }
  throw new Error(`shopify.app.toml has no ${key} in [${section}]`);
}

export const splitScopes = (scopes: string) => scopes.split(",").map((s) => s.trim()).filter(Boolean);

export function readAppConfig(file = path.join(ROOT, "shopify.app.toml")): AppConfig {
  const text = readFileSync(file, "utf8");
  return { scopes: splitScopes(tomlString(text, "access_scopes", "scopes")), webhooksApiVersion: tomlString(text, "webhooks", "api_version") };
}

/** Every `topics = [...]` of the toml's webhook subscriptions (compliance topics need no scope). */
export function webhookTopics(file = path.join(ROOT, "shopify.app.toml")): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*topics\s*=\s*\[([^\]]*)\]/gm)].flatMap((m) => [...m[1].matchAll(/"([^"]+)"/g)].map((t) => t[1]));
}

/**
 * Every topic the app subscribes to: `topics = [...]` and `compliance_topics = [...]` of each
 * `[[webhooks.subscriptions]]`. A subscription block whose topics this pattern cannot read (an
 * inline table, a key spelt otherwise) throws rather than being skipped.
 */
export function subscribedTopics(file = path.join(ROOT, "shopify.app.toml")): string[] {
  const text = readFileSync(file, "utf8");
  const blocks = text.match(/^\s*\[\[webhooks\.subscriptions\]\]\s*$/gm)?.length ?? 0;
  const lists = [...text.matchAll(/^\s*(?:compliance_)?topics\s*=\s*\[([^\]]*)\]/gm)];
  if (blocks === 0 || lists.length !== blocks) {
    throw new Error(`shopify.app.toml has ${blocks} [[webhooks.subscriptions]] but ${lists.length} topic lists`);
  }
  return lists.flatMap((m) => [...m[1].matchAll(/"([^"]+)"/g)].map((t) => t[1]));
}
