import { describe, expect, it } from "vitest";
import {
  AppUrlNotConfigured,
  SIZE_LIMIT_BYTES,
  bundleCheckoutExtension,
  resolveAppUrl,
} from "../../../scripts/bundle-checkout-extension";

const APP_URL = "https://wa.rebound-shop.app";

describe("checkout UI extension bundle", () => {
  it("stays under Shopify's 64 KB compressed limit and posts to the configured app URL", { timeout: 60_000 }, async () => {
    const sizes = await bundleCheckoutExtension({ appUrl: APP_URL, environment: "production", write: false });
    expect(sizes.map((s) => s.target).sort()).toEqual(["Checkout", "ThankYou"]);
    for (const size of sizes) {
      // A bundle this small is suspicious (preact and the components must be in it).
      expect(size.gzipBytes, size.target).toBeGreaterThan(2_000);
      expect(size.gzipBytes, size.target).toBeLessThan(SIZE_LIMIT_BYTES);
      expect(size.code, size.target).toContain(JSON.stringify(APP_URL));
      expect(size.code, size.target).toContain("/api/checkout-optin");
      // Nothing left for the checkout sandbox to resolve, and no placeholder to post to.
      expect(size.code, size.target).not.toMatch(/example\.com|process\.env|APP_URL|localhost|127\.0\.0\.1/);
    }
  });

  it("refuses a production bundle without a real app URL", async () => {
    await expect(bundleCheckoutExtension({ appUrl: undefined, environment: "production", write: false })).rejects.toThrow(AppUrlNotConfigured);
    for (const placeholder of [
      "https://example.com",
      "https://your-tunnel.example.com",
      "https://rebound.example",
      "https://app.localhost",
      "https://127.0.0.1:3000",
      "http://wa.rebound-shop.app",
      "not a url",
    ]) {
      expect(() => resolveAppUrl(placeholder, "production"), placeholder).toThrow(AppUrlNotConfigured);
    }
    expect(resolveAppUrl(`${APP_URL}/`, "production")).toBe(APP_URL);
  });

  it("builds for development without a URL, leaving the form to say sign-up is unavailable", { timeout: 60_000 }, async () => {
    expect(resolveAppUrl("http://localhost:3000", "development")).toBe("http://localhost:3000");
    const [checkout] = await bundleCheckoutExtension({ appUrl: undefined, environment: "development", write: false });
    expect(checkout.code).not.toMatch(/example\.com|https?:\/\/[a-z0-9.-]+\/api\/checkout-optin/);
    expect(checkout.code).not.toContain("process.env");
  });
});
