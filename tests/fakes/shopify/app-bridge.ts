/**
 * A stand-in for App Bridge (https://cdn.shopify.com/shopifycloud/app-bridge.js), which cannot
 * load offline. It offers what the admin pages use: `shopify.idToken()`, `toast`, `loading`, and
 * the bearer token App Bridge adds to the app's own fetches, so Remix data requests authenticate
 * exactly as they do inside the Shopify admin. Fresh tokens come from `window.__reboundIdToken`,
 * which the browser test exposes (signed in the test process; the secret never reaches the page).
 */
export const APP_BRIDGE_CDN = "https://cdn.shopify.com/shopifycloud/app-bridge.js";

export const appBridgeStandIn = `(() => {
  const idToken = () => window.__reboundIdToken();
  const toasts = [];
  window.__reboundToasts = toasts;
  window.shopify = {
    idToken,
    config: { apiKey: document.currentScript && document.currentScript.dataset.apiKey },
    toast: { show(message, options) { toasts.push({ message, options }); return String(toasts.length); }, hide() {} },
    loading(on) { document.documentElement.dataset.loading = on ? "1" : ""; },
    environment: { embedded: true, mobile: false, pos: false },
  };
  // App Bridge lifts <ui-nav-menu> into the admin's sidebar; inside the iframe it shows nothing.
  const style = document.createElement("style");
  style.textContent = "ui-nav-menu { display: none; }";
  document.head.appendChild(style);
  const realFetch = window.fetch.bind(window);
  window.fetch = async (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, location.href);
    if (url.origin !== location.origin) return realFetch(input, init);
    const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
    headers.set("Authorization", "Bearer " + (await idToken()));
    return realFetch(input, { ...init, headers });
  };
})();`;
