import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import {
  buildClientSchema,
  getNamedType,
  getNullableType,
  getVariableValues,
  isNonNullType,
  Kind,
  parse,
  separateOperations,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type IntrospectionQuery,
  type OperationDefinitionNode,
} from "graphql";
import { ADMIN_API_VERSION } from "../../../app/shops/api-version";

/**
 * Shopify's published Admin GraphQL schema, as the npm package @shopify/dev-mcp ships it offline
 * (dist/data/admin_<version>.json.gz: an introspection result whose fields and types carry
 * `requiredAccess`, the access scopes Shopify demands for them). The fake Admin API checks every
 * operation against it, and a unit test checks every operation in app/ the same way.
 * https://shopify.dev/docs/api/usage/access-scopes
 */
export interface AdminSchema {
  version: string;
  schema: GraphQLSchema;
  /** "Type.field" -> requiredAccess prose */
  fieldAccess: Map<string, string>;
  /** "Type" -> requiredAccess prose (any field returning the type needs it) */
  typeAccess: Map<string, string>;
}

interface RawField {
  name: string;
  requiredAccess?: string | null;
}
interface RawType {
  name: string;
  requiredAccess?: string | null;
  fields?: RawField[] | null;
}
interface RawSchemaFile {
  data: IntrospectionQuery & { __schema: { types: RawType[] } };
  offline_scopes?: { items?: Array<{ type: string; typeName: string; fieldName?: string; requiredAccess?: string }> };
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");

export function adminSchemaFile(version: string): string {
  // The package's exports name no data files, so its installed folder is read directly.
  return path.join(ROOT, "node_modules", "@shopify", "dev-mcp", "dist", "data", `admin_${version}.json.gz`);
}

export function hasAdminSchema(version: string): boolean {
  return /^(\d{4}-\d{2}|unstable)$/.test(version) && existsSync(adminSchemaFile(version));
}

// ~900 KB gzipped, ~0.5 s to build: parsed once per process and version.
const cache = new Map<string, AdminSchema>();

export function loadAdminSchema(version: string = ADMIN_API_VERSION): AdminSchema {
  const cached = cache.get(version);
  if (cached) return cached;
  if (!hasAdminSchema(version)) throw new Error(`@shopify/dev-mcp ships no Admin schema for ${version}`);
  const raw = JSON.parse(gunzipSync(readFileSync(adminSchemaFile(version))).toString("utf8")) as RawSchemaFile;
  const fieldAccess = new Map<string, string>();
  const typeAccess = new Map<string, string>();
  for (const type of raw.data.__schema.types) {
    if (type.requiredAccess) typeAccess.set(type.name, type.requiredAccess);
    for (const field of type.fields ?? []) {
      if (field.requiredAccess) fieldAccess.set(`${type.name}.${field.name}`, field.requiredAccess);
    }
  }
  for (const item of raw.offline_scopes?.items ?? []) {
    if (!item.requiredAccess) continue;
    if (item.type === "type" && !typeAccess.has(item.typeName)) typeAccess.set(item.typeName, item.requiredAccess);
    const key = `${item.typeName}.${item.fieldName}`;
    if (item.type === "field" && !fieldAccess.has(key)) fieldAccess.set(key, item.requiredAccess);
  }
  const loaded = { version, schema: buildClientSchema(raw.data), fieldAccess, typeAccess };
  cache.set(version, loaded);
  return loaded;
}

/**
 * The scope alternatives in Shopify's requiredAccess prose: each inner list is one way to pass
 * (all of its scopes). "`read_locales` access scope or `read_markets_home` access scope." is
 * [[read_locales], [read_markets_home]]; "... both `read_markets` as well as `write_markets` for
 * mutations" is [[read_markets, write_markets]]. What follows "Also:" is about the staff member
 * or the shop, not the app's token. Null when the prose names no scope (nothing a token decides).
 */
export function parseRequiredAccess(prose: string): string[][] | null {
  const scopePart = prose.split(/\bAlso:/)[0];
  const all = names(scopePart);
  if (all.length === 0) return null;
  // "`write_products` access scope as well as any of `a`, `b`", "`read_returns` access scope and
  // (`read_orders` access scope or ...)": the head is always needed, then one of the tail.
  const joint = /^(.*?)(?:\bas well as\b|\band\b)(.*)$/s.exec(scopePart);
  if (joint) {
    const head = names(joint[1]);
    const tail = names(joint[2]);
    if (head.length > 0 && /\bor\b|\bany of\b/i.test(joint[2])) return tail.map((scope) => [...new Set([...head, scope])]);
    return [all];
  }
  return all.map((scope) => [scope]);
}

const names = (text: string) => [...new Set([...text.matchAll(/`([a-z][a-z0-9_]*)`/g)].map((m) => m[1]))];

/** A token's effective scopes: Shopify's `write_X` includes `read_X`. */
export function effectiveScopes(granted: Iterable<string>): Set<string> {
  const all = new Set<string>();
  for (const scope of granted) {
    const trimmed = scope.trim();
    if (!trimmed) continue;
    all.add(trimmed);
    const write = /^(unauthenticated_)?write_(.+)$/.exec(trimmed);
    if (write) all.add(`${write[1] ?? ""}read_${write[2]}`);
  }
  return all;
}

export function allows(prose: string, granted: Set<string>): boolean {
  const alternatives = parseRequiredAccess(prose);
  return alternatives === null || alternatives.some((all) => all.every((scope) => granted.has(scope)));
}

export interface DeniedField {
  fieldName: string;
  requiredAccess: string;
  /** Response keys from the operation's root ("shopLocales", "collections.nodes.title") */
  path: string[];
  /** For each key in path: may it be null (so a denial nulls it rather than its parent)? */
  nullable: boolean[];
  location: { line: number; column: number } | undefined;
}

export interface ShopifyGraphQLError {
  message: string;
  locations?: Array<{ line: number; column: number }>;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}

export type CheckedOperation =
  | { ok: true; document: DocumentNode; operation: OperationDefinitionNode; operationName: string | null; denied: DeniedField[] }
  | { ok: false; errors: ShopifyGraphQLError[] };

const locationOf = (error: GraphQLError) => error.locations?.map(({ line, column }) => ({ line, column }));

/**
 * graphql-js's validation messages in the words Shopify's server (graphql-ruby) uses for the
 * common cases, with its `extensions.code`; the rest keep graphql-js's wording.
 * https://shopify.dev/docs/api/usage/response-codes
 */
function shopifyValidationError(error: GraphQLError): ShopifyGraphQLError {
  const locations = locationOf(error);
  let m = /^Cannot query field "(\w+)" on type "(\w+)"/.exec(error.message);
  if (m) return { message: `Field '${m[1]}' doesn't exist on type '${m[2]}'`, locations, extensions: { code: "undefinedField", typeName: m[2], fieldName: m[1] } };
  m = /^Unknown argument "(\w+)" on field "(\w+)\.(\w+)"/.exec(error.message);
  if (m) return { message: `Field '${m[3]}' doesn't accept argument '${m[1]}'`, locations, extensions: { code: "argumentNotAccepted", name: m[3], typeName: "Field", argumentName: m[1] } };
  m = /^Field "(\w+)" argument "(\w+)" of type "([^"]+)" is required/.exec(error.message);
  if (m) return { message: `Field '${m[1]}' is missing required arguments: ${m[2]}`, locations, extensions: { code: "missingRequiredArguments", className: "Field", name: m[1], arguments: m[2] } };
  m = /^Unknown type "(\w+)"/.exec(error.message);
  if (m) return { message: `No such type ${m[1]}, so it can't be a fragment condition or variable type`, locations, extensions: { code: "undefinedType", typeName: m[1] } };
  m = /^Variable "\$(\w+)" is never used in operation "(\w+)"/.exec(error.message);
  if (m) return { message: `Variable $${m[1]} is declared by ${m[2]} but not used`, locations, extensions: { code: "variableNotUsed", variableName: m[1] } };
  return { message: error.message, locations };
}

/**
 * Parses and validates `query` as Shopify does before running it, then walks the operation that
 * would run with TypeInfo and lists the fields the granted scopes do not reach. `granted` null
 * skips the scope walk. A request's variables are coerced against their declared types.
 */
export function checkOperation(
  admin: AdminSchema,
  query: string,
  options: { granted: Set<string> | null; operationName?: string | null; variables?: Record<string, unknown> },
): CheckedOperation {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    const syntax = error as GraphQLError;
    return { ok: false, errors: [{ message: syntax.message, locations: locationOf(syntax) }] };
  }
  const invalid = validate(admin.schema, document);
  if (invalid.length > 0) return { ok: false, errors: invalid.map(shopifyValidationError) };

  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const wanted = options.operationName ?? null;
  const operation = wanted ? operations.find((o) => o.name?.value === wanted) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) {
    const message = wanted ? `No operation named "${wanted}"` : "An operation name is required when the document holds several operations";
    return { ok: false, errors: [{ message }] };
  }
  // Static checks (no request) pass no variables; a request's are coerced as Shopify does.
  const coerced = options.variables ? getVariableValues(admin.schema, operation.variableDefinitions ?? [], options.variables) : null;
  if (coerced?.errors) {
    return {
      ok: false,
      errors: coerced.errors.map((e) => ({ message: e.message, locations: locationOf(e), extensions: { code: "INVALID_VARIABLE" } })),
    };
  }
  const name = operation.name?.value ?? null;
  const denied = options.granted ? deniedFields(admin, document, name, options.granted) : [];
  return { ok: true, document, operation, operationName: name, denied };
}

function deniedFields(admin: AdminSchema, document: DocumentNode, operationName: string | null, granted: Set<string>): DeniedField[] {
  // Only the operation that runs (and the fragments it uses) is checked, as Shopify does.
  const runs = operationName ? separateOperations(document)[operationName] : document;
  const typeInfo = new TypeInfo(admin.schema);
  const denied: DeniedField[] = [];
  const keys: string[] = [];
  const nullable: boolean[] = [];
  let deniedDepth = 0; // > 0 inside a denied field: Shopify resolves nothing below it
  visit(
    runs ?? document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const parent = typeInfo.getParentType();
          const type = typeInfo.getType();
          keys.push(node.alias?.value ?? node.name.value);
          nullable.push(type ? !isNonNullType(type) : true);
          if (deniedDepth > 0 || node.name.value.startsWith("__") || !parent || !type) {
            if (deniedDepth > 0) deniedDepth++;
            return;
          }
          const named = getNamedType(getNullableType(type));
          const requirements = [admin.fieldAccess.get(`${parent.name}.${node.name.value}`), admin.typeAccess.get(named.name)];
          const missing = requirements.find((prose): prose is string => !!prose && !allows(prose, granted));
          if (missing) {
            denied.push({
              fieldName: node.name.value,
              requiredAccess: missing,
              path: [...keys],
              nullable: [...nullable],
              location: node.loc ? { line: node.loc.startToken.line, column: node.loc.startToken.column } : undefined,
            });
            deniedDepth = 1;
          }
        },
        leave() {
          keys.pop();
          nullable.pop();
          if (deniedDepth > 0) deniedDepth--;
        },
      },
    }),
  );
  return denied;
}

/** Shopify's answer to a field the token's scopes do not reach (HTTP 200, `errors[]`). */
export function accessDeniedError(field: DeniedField): ShopifyGraphQLError {
  return {
    message: `Access denied for ${field.fieldName} field. Required access: ${field.requiredAccess}`,
    ...(field.location ? { locations: [field.location] } : {}),
    path: field.path,
    extensions: { code: "ACCESS_DENIED", documentation: "https://shopify.dev/api/usage/access-scopes", requiredAccess: field.requiredAccess },
  };
}

/**
 * The data Shopify returns next to ACCESS_DENIED errors: each denied field is null, and a null
 * in a non-null position moves up to the nearest nullable parent (or nulls `data` itself).
 * https://spec.graphql.org/October2021/#sec-Handling-Field-Errors
 */
export function withoutDeniedFields(data: unknown, denied: DeniedField[]): Record<string, unknown> | null {
  if (denied.length === 0) return (data ?? null) as Record<string, unknown> | null;
  const copy = structuredClone(data) as Record<string, unknown> | null;
  for (const field of denied) {
    let depth = field.path.length - 1;
    while (depth >= 0 && !field.nullable[depth]) depth--;
    if (depth < 0 || copy === null) return null;
    nullAt(copy, field.path.slice(0, depth + 1));
  }
  return copy;
}

function nullAt(value: unknown, path: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) nullAt(item, path);
    return;
  }
  if (value === null || typeof value !== "object") return;
  const record = value as Record<string, unknown>;
  if (path.length === 1) {
    if (path[0] in record) record[path[0]] = null;
    return;
  }
  nullAt(record[path[0]], path.slice(1));
}

/**
 * The scopes a webhook topic needs, from the topic's description in the schema's
 * WebhookSubscriptionTopic enum ("Requires the `read_orders` scope.", "Requires at least one of
 * the following scopes: read_orders, read_marketplace_orders."). Null when it names none.
 * https://shopify.dev/docs/api/webhooks
 */
export function webhookTopicAccess(admin: AdminSchema, topic: string): string[][] | null {
  const name = topic.toUpperCase().replace(/[/]/g, "_");
  const enumType = admin.schema.getType("WebhookSubscriptionTopic");
  if (!enumType || !("getValue" in enumType)) throw new Error("the schema has no WebhookSubscriptionTopic enum");
  const value = enumType.getValue(name);
  if (!value) throw new Error(`Shopify has no webhook topic ${topic} in ${admin.version}`);
  const sentence = /Requires\s+([^.]*)\./s.exec(value.description ?? "")?.[1];
  if (!sentence) return null;
  const scopes = [...sentence.matchAll(/`?\b((?:read|write)_[a-z_]+)\b`?/g)].map((m) => m[1]);
  return scopes.length === 0 ? null : scopes.map((scope) => [scope]);
}
