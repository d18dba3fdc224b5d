import { describe, expect, it } from "vitest";
import { SIZE_LIMIT_BYTES, bundleCheckoutExtension } from "../../../scripts/bundle-checkout-extension";

describe("checkout UI extension bundle", () => {
  it("stays under Shopify's 64 KB compressed limit for every target", { timeout: 60_000 }, async () => {
    const sizes = await bundleCheckoutExtension("https://rebound.example", false);
    expect(sizes.map((s) => s.target).sort()).toEqual(["Checkout", "ThankYou"]);
    for (const size of sizes) {
      // A bundle this small is suspicious (preact and the components must be in it).
      expect(size.gzipBytes, size.target).toBeGreaterThan(2_000);
      expect(size.gzipBytes, size.target).toBeLessThan(SIZE_LIMIT_BYTES);
    }
  });
});
