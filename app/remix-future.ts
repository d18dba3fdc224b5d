/**
 * Remix's future flags, in one place: vite.config.ts builds the app with them, and a server
 * build assembled from source (tests, the sandbox, the benchmark) must declare the same ones, or
 * it would answer data requests differently from the production build.
 */
export const remixFuture = {
  v3_fetcherPersist: true,
  v3_relativeSplatPath: true,
  v3_throwAbortReason: true,
  v3_lazyRouteDiscovery: true,
  v3_singleFetch: true,
  v3_routeConfig: false,
  unstable_optimizeDeps: false,
} as const;
