import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { themeCheckRun } from "@shopify/theme-check-node";

const root = path.resolve("extensions/whatsapp-optin");

function keys(tree: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    value && typeof value === "object" ? keys(value as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

describe("theme app extension whatsapp-optin", () => {
  it("passes Shopify's theme check for app extensions", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "theme-check-"));
    const config = path.join(dir, ".theme-check.yml");
    writeFileSync(config, "extends: theme-check:theme-app-extension\n");
    const run = await themeCheckRun(root, config, () => {});
    // Every block, snippet, locale and asset was read, so an empty offense list means something.
    expect(run.theme.length).toBeGreaterThanOrEqual(10);
    const offenses = run.offenses.map((o) => `${o.severity} ${o.check} ${o.uri.split("/whatsapp-optin/")[1]}: ${o.message}`);
    // Severity 0 = error, 1 = warning in theme-check-common.
    expect(offenses.filter((o) => o.startsWith("0 ") || o.startsWith("1 "))).toEqual([]);
  });

  it("keeps the app block JavaScript under 10 KB compressed", () => {
    for (const file of readdirSync(path.join(root, "assets"))) {
      const size = gzipSync(readFileSync(path.join(root, "assets", file))).length;
      expect(size, file).toBeLessThan(10 * 1024);
    }
  });

  it("translates every shopper string into each shipped language, naming WhatsApp and the store", () => {
    const english = JSON.parse(readFileSync(path.join(root, "locales/en.default.json"), "utf8"));
    for (const file of ["es.json", "pt-BR.json", "id.json", "de.json"]) {
      const other = JSON.parse(readFileSync(path.join(root, "locales", file), "utf8"));
      expect(keys(other).sort(), file).toEqual(keys(english).sort());
      for (const consent of [other.rebound.product.consent, other.rebound.cart.consent]) {
        expect(consent, file).toContain("WhatsApp");
        expect(consent, file).toContain("{{ store }}");
      }
    }
  });

  it("never pre-ticks the consent checkbox", () => {
    const form = readFileSync(path.join(root, "snippets/rebound-optin-form.liquid"), "utf8");
    const checkbox = form.match(/<input[^>]*type="checkbox"[^>]*>/)?.[0] ?? "";
    expect(checkbox).not.toBe("");
    expect(checkbox).not.toMatch(/checked/);
  });
});
