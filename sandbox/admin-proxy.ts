import http from "node:http";

/**
 * The sandbox's stand-in for the Shopify admin around the embedded app. In production the admin
 * frames the app and App Bridge attaches a fresh session token (a JWT signed with the app's
 * secret) to the app's requests. Here a local proxy on 127.0.0.1 does the attaching, with a
 * token the sandbox signs with the secret it made up, so the app's `authenticate.admin` runs
 * exactly the production code path.
 */
export interface AdminProxyOptions {
  port: number;
  appOrigin: string;
  /** Returns a fresh session token for the demo shop */
  sessionToken: () => string;
  /** Paths the proxy answers itself (the App Bridge stand-in, fresh session tokens) */
  files?: Record<string, () => { type: string; body: string }>;
}

export function startAdminProxy(options: AdminProxyOptions): Promise<http.Server> {
  const target = new URL(options.appOrigin);
  const server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    const file = options.files?.[path.split("?")[0]]?.();
    if (file) {
      res.writeHead(200, { "Content-Type": file.type, "Cache-Control": "no-store" });
      res.end(file.body);
      return;
    }
    if (path === "/" || path === "") {
      res.writeHead(302, { Location: "/app" });
      res.end();
      return;
    }
    const headers = { ...req.headers, host: target.host };
    // Only the admin is the merchant's; storefront, webhook and proxy paths pass untouched.
    if (path.startsWith("/app")) headers.authorization = `Bearer ${options.sessionToken()}`;
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "Content-Type": "text/plain" });
      res.end("The Rebound app is not answering.");
    });
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve(server));
  });
}
