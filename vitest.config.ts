import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";
import { builtAssetUrls } from "./tests/support/built-asset-urls";

// Two projects: fast unit tests (pure code, in-process PGlite where they need a database) and
// integration tests that start the real server in the test's own process (tests/support/server.ts),
// on the same app modules the test imports, and speak HTTP to it; the browser files come from the
// production build.
export default defineConfig({
  plugins: [tsconfigPaths(), builtAssetUrls()],
  test: {
    // Stylesheets a route links by URL keep that URL (the built file's, see builtAssetUrls);
    // vitest would otherwise turn them into empty strings.
    css: { include: [/\.css\?url$/] },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts", "tests/unit/**/*.test.tsx"],
          environment: "node",
          setupFiles: ["tests/setup/unit-env.ts"],
          // Starting PGlite and migrating it takes seconds on a busy 2-core machine.
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts", "tests/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/setup/build-once.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
