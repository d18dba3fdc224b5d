import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // shopify.d.ts files are generated in the shape the Shopify CLI writes them.
  { ignores: ["build/", "node_modules/", "data/", "extensions/*/dist/", "extensions/*/shopify.d.ts", "tests/artifacts/", ".cache/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: "readonly", process: "readonly", Buffer: "readonly", URL: "readonly",
        fetch: "readonly", Request: "readonly", Response: "readonly", Headers: "readonly",
        setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly",
        window: "readonly", document: "readonly", AbortController: "readonly", TextEncoder: "readonly",
        TextDecoder: "readonly", crypto: "readonly", structuredClone: "readonly", queueMicrotask: "readonly",
        performance: "readonly", FormData: "readonly", URLSearchParams: "readonly", navigator: "readonly",
        customElements: "readonly", HTMLElement: "readonly", Event: "readonly", CustomEvent: "readonly",
        shopify: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Configuration is read once, in app/env.server.ts.
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Import settings from app/env.server.ts" }],
    },
  },
  {
    // These set up the environment (the sandbox makes up its own) rather than read settings.
    files: ["app/env.server.ts", "app/db/adapter.server.ts", "app/db.server.ts", "tests/**", "scripts/**", "server/**", "sandbox/**", "bench/**", "prisma.config.ts", "vite.config.ts", "extensions/**"],
    rules: { "no-restricted-properties": "off" },
  },
  {
    // The app and its server log through one structured logger (levels, request ids, redaction).
    // Scripts, tests, the sandbox and the bench print what they report.
    files: ["app/**", "server/**"],
    rules: {
      "no-console": "error",
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='emitWarning']",
          message: "Log through log from app/shared/log.server.ts",
        },
      ],
    },
  },
  {
    // A module a reader takes in at once: past 300 lines, split it by responsibility.
    files: ["app/**/*.{ts,tsx}", "server/**/*.ts", "extensions/**/*.{ts,tsx,js}"],
    rules: { "max-lines": ["error", { max: 300 }] },
  },
);
