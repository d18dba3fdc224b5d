import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { FakeAdminStore } from "./admin-store";
import { defaultOperations, FakeGraphQLError, type OperationHandler } from "./admin-operations";
import {
  accessDeniedError,
  checkOperation,
  effectiveScopes,
  hasAdminSchema,
  loadAdminSchema,
  withoutDeniedFields,
} from "./admin-schema";
import { exchangeToken, type FakeAppCredentials } from "./token-exchange";
import { customerConsentOperations } from "./admin-customers";

/**
 * A local Shopify Admin GraphQL API for tests and the sandbox. The app reaches it through
 * SHOPIFY_ADMIN_API_ORIGIN (app/shopify.server.ts rewrites https://<shop>/admin/... to
 * <origin>/<shop>/admin/...). Like Shopify it demands the shop's access token in
 * X-Shopify-Access-Token (401 otherwise) and answers POST /admin/api/<version>/graphql.json with
 * `{ data, extensions.cost }`. Before any resolver runs, the operation is checked as Shopify
 * checks it, against Shopify's published schema of that version (./admin-schema.ts): a syntax or
 * validation error, or a variable of the wrong type, is answered with `errors[]` and no data
 * (HTTP 200); a field outside the installation's granted scopes gets an ACCESS_DENIED error and
 * null in its place. An operation that passes but that the fake has no resolver for is also an
 * error. POST /admin/oauth/access_token installs the app by token exchange (./token-exchange.ts).
 * https://shopify.dev/docs/api/admin-graphql#endpoints
 * https://shopify.dev/docs/api/usage/response-codes
 * https://shopify.dev/docs/api/usage/access-scopes
 *
 * Other operations: `admin.addOperation("OperationName", (ctx) => data)`; the operation name is
 * the one in the query text (`query ReboundShop { ... }`) or the request's `operationName`.
 */
export { FakeAdminStore } from "./admin-store";
export { defaultOperations, discountCodes, FakeGraphQLError, type OperationHandler } from "./admin-operations";

export interface RecordedAdminRequest {
  shop: string;
  apiVersion: string;
  operationName: string | null;
  variables: Record<string, unknown>;
  status: number;
  /** extensions.code of each error in the answer (ACCESS_DENIED, undefinedField, ...) */
  errorCodes: string[];
}

export interface FakeShopifyAdmin {
  origin: string;
  store: FakeAdminStore;
  requests: RecordedAdminRequest[];
  addOperation(name: string, handler: OperationHandler): void;
  close(): Promise<void>;
}

const operationNameOf = (query: string, given: unknown): string | null => {
  if (typeof given === "string" && given) return given;
  return /\b(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(query)?.[1] ?? null;
};

const codesOf = (errors: Array<{ extensions?: Record<string, unknown> }>) =>
  errors.map((e) => (typeof e.extensions?.code === "string" ? e.extensions.code : "error"));

/** A token request's body: JSON (what @shopify/shopify-api sends) or a form, both of which Shopify takes. */
function readBody(text: string, contentType: string | undefined): Record<string, unknown> | null {
  if (contentType?.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const cost = (maximum = 2000) => ({
  cost: {
    requestedQueryCost: 2,
    actualQueryCost: 2,
    throttleStatus: { maximumAvailable: maximum, currentlyAvailable: maximum - 2, restoreRate: 100 },
  },
});

export async function startFakeShopifyAdmin(
  options: { store?: FakeAdminStore; port?: number; app?: FakeAppCredentials } = {},
): Promise<FakeShopifyAdmin> {
  const store = options.store ?? new FakeAdminStore();
  const operations = new Map(Object.entries({ ...defaultOperations, ...customerConsentOperations }));
  const requests: RecordedAdminRequest[] = [];
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(body));
      };
      const url = (req.url ?? "").split("?")[0];
      const install = /^\/([a-z0-9][a-z0-9-]*\.myshopify\.com)\/admin\/oauth\/access_token$/.exec(url);
      if (install) {
        if (req.method !== "POST") return send(405, { errors: "Method Not Allowed" });
        const form = readBody(Buffer.concat(chunks).toString("utf8"), req.headers["content-type"]);
        const answer = exchangeToken(store, options.app, install[1], form ?? {});
        return send(answer.status, answer.body);
      }
      const match = /^\/([a-z0-9][a-z0-9-]*\.myshopify\.com)\/admin\/api\/([0-9]{4}-[0-9]{2}|unstable)\/graphql\.json$/.exec(url);
      if (!match) return send(404, { errors: "Not Found" });
      const [, domain, apiVersion] = match;
      const record = (status: number, operationName: string | null, variables: Record<string, unknown>, errorCodes: string[] = []) =>
        requests.push({ shop: domain, apiVersion, operationName, variables, status, errorCodes });

      const shop = store.shops.get(domain);
      // Only versions whose schema Shopify published (and @shopify/dev-mcp ships) are served.
      if (!shop || !hasAdminSchema(apiVersion)) {
        record(404, null, {});
        return send(404, { errors: "Not Found" });
      }
      const token = req.headers["x-shopify-access-token"];
      if (token !== shop.accessToken && !(typeof token === "string" && store.issuedTokens.get(token) === domain)) {
        record(401, null, {});
        return send(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
      }
      if (req.method !== "POST") return send(405, { errors: "Method Not Allowed" });

      let body: { query?: unknown; variables?: unknown; operationName?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        record(400, null, {});
        return send(400, { errors: "Bad Request: the body is not JSON" });
      }
      if (typeof body.query !== "string" || body.query.trim() === "") {
        record(400, null, {});
        return send(400, { errors: { query: "Required parameter missing or invalid" } });
      }
      const variables = (body.variables && typeof body.variables === "object" ? body.variables : {}) as Record<string, unknown>;
      const checked = checkOperation(loadAdminSchema(apiVersion), body.query, {
        granted: effectiveScopes(shop.scopes),
        operationName: typeof body.operationName === "string" && body.operationName ? body.operationName : null,
        variables,
      });
      if (!checked.ok) {
        record(200, operationNameOf(body.query, body.operationName), variables, codesOf(checked.errors));
        return send(200, { errors: checked.errors });
      }
      const { operationName } = checked;
      const handler = operationName ? operations.get(operationName) : undefined;
      if (!handler) {
        const errors = [
          {
            message: `Operation '${operationName ?? "(anonymous)"}' is valid, but the fake Admin API has no resolver for it: add one with addOperation`,
            locations: [{ line: 1, column: 1 }],
            extensions: { code: "undefinedField" },
          },
        ];
        record(200, operationName, variables, codesOf(errors));
        return send(200, { errors });
      }
      try {
        const data = handler({ shop, store, variables, query: body.query });
        if (checked.denied.length === 0) {
          record(200, operationName, variables);
          return send(200, { data, extensions: cost() });
        }
        const errors = checked.denied.map(accessDeniedError);
        record(200, operationName, variables, codesOf(errors));
        return send(200, { errors, data: withoutDeniedFields(data, checked.denied), extensions: cost() });
      } catch (error) {
        if (error instanceof FakeGraphQLError) {
          const errors = [{ message: error.message, extensions: { code: error.code } }];
          record(200, operationName, variables, codesOf(errors));
          return send(200, { errors });
        }
        record(500, operationName, variables);
        return send(500, { errors: "Internal Server Error" });
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    store,
    requests,
    addOperation(name, handler) {
      operations.set(name, handler);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
